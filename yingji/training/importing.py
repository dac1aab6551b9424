"""Excel import of questions into one bank: bad rows reported with their reasons, good rows kept."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yingji.core.importing import ImportColumn, Importer
from yingji.training.forms import QuestionForm
from yingji.training.models import Question, QuestionBank

COLUMNS = [
    ImportColumn(_("题目编号"), "code", _("选填；留空自动生成；填写已有编号则更新该题"), ""),
    ImportColumn(_("题型"), "kind", _("必填；单选题、多选题或判断题"), "单选题"),
    ImportColumn(_("题干"), "stem", example="生产经营单位的主要负责人对本单位安全生产工作（ ）。"),
    ImportColumn(_("选项A"), "option_a", _("单选、多选必填；判断题不填"), "全面负责"),
    ImportColumn(_("选项B"), "option_b", example="部分负责"),
    ImportColumn(_("选项C"), "option_c", example="不负责任"),
    ImportColumn(_("选项D"), "option_d", example="协助负责"),
    ImportColumn(_("选项E"), "option_e", example=""),
    ImportColumn(_("选项F"), "option_f", example=""),
    ImportColumn(_("答案"), "answer", _("必填；单选填一个字母，多选填多个字母如 ACD，判断填“正确”或“错误”"), "A"),
    ImportColumn(_("答案解析"), "explanation", example="《安全生产法》第五条"),
]


class QuestionImporter(Importer):
    """Questions of one bank; the bank comes from the page, not from the file."""

    def __init__(self, bank: QuestionBank) -> None:
        super().__init__(model=Question, form_class=QuestionForm, columns=COLUMNS, key_field="code")
        self.bank = bank

    def row_data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = super().row_data(values)
        data["bank"] = self.bank.pk
        data["is_active"] = True
        for name in ("stem", "explanation", *(f"option_{c}" for c in "abcdef")):
            data[name] = str(data[name]).strip()
        data["answer"] = str(data["answer"]).strip()
        return data
