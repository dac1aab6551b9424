"""Plain-text previews of the region and boundary imports, for the management commands."""

from collections.abc import Callable

from yingji.core.boundary_import import BoundaryPlan
from yingji.core.division_import import PREVIEW_ROWS, DivisionPlan


def print_division_plan(plan: DivisionPlan, write: Callable[[str], None]) -> None:
    counts = plan.summary()
    write(f"共 {counts['rows']} 行：新增 {counts['new']}，更名 {counts['renamed']}，城乡分类变更 {counts['reclassified']}，"
          f"恢复 {counts['restored']}，撤销 {counts['retired']}，不变 {counts['unchanged']}；"
          f"错误 {counts['errors']}，忽略（辖区外）{counts['ignored']}")
    for row in plan.new[:PREVIEW_ROWS]:
        write(f"  新增 {row.code} {row.name}")
    for row, old in plan.renamed[:PREVIEW_ROWS]:
        write(f"  更名 {row.code} {old} → {row.name}")
    for code, name, replacement in plan.retired[:PREVIEW_ROWS]:
        write(f"  撤销 {code} {name}" + (f"（由 {replacement} 代替）" if replacement else ""))
    for number, reason in plan.errors[:PREVIEW_ROWS * 5]:
        write(f"  错误 第{number}行：{reason}")
    for number, reason in plan.ignored[:PREVIEW_ROWS]:
        write(f"  忽略 第{number}行：{reason}")


def print_boundary_plan(plan: BoundaryPlan, write: Callable[[str], None]) -> None:
    counts = plan.summary()
    write(f"匹配 {counts['matched']} 个（替换已有边界 {counts['replaced']}），未匹配 {counts['unmatched']}，"
          f"错误 {counts['errors']}，忽略（辖区外）{counts['ignored']}")
    for number, reason in plan.unmatched[:100]:
        write(f"  未匹配 第{number}个要素：{reason}")
    for number, reason in plan.errors[:100]:
        write(f"  错误 第{number}个要素：{reason}")
    if plan.without_boundary:
        write("  仍无边界：" + "、".join(name for _code, name in plan.without_boundary[:50]))
