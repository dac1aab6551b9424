"""Import users from an Excel sheet (the template: --template FILE): bad rows reported, good rows kept."""

from yingji.core.management.excel_import import ExcelImportCommand
from yingji.core.people_import import USER_IMPORTER


class Command(ExcelImportCommand):
    help = "从 Excel 导入用户：逐行校验，错误行列出原因，正确行全部保存；--template 生成模板"
    importer = USER_IMPORTER
