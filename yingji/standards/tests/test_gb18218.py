"""GB 18218-2018: S, R, α and grade against the standard's own tables, and the chemical catalog."""

from fractions import Fraction

import pytest

from yingji.standards import gb18218

# Table 3: β of the named toxic gases.
TABLE_3 = {"一氧化碳": 2, "二氧化硫": 2, "氨": 2, "环氧乙烷": 2, "氯化氢": 3, "溴甲烷": 3, "氯": 4, "硫化氢": 5,
           "氟化氢": 5, "二氧化氮": 10, "氰化氢": 10, "碳酰氯": 20, "磷化氢": 20, "异氰酸甲酯": 20}
# Table 3 names as they appear in Table 1 (氯化氢 is listed as 氯化氢(无水), CO under 煤气).
TABLE_3_ROWS = {"二氧化硫": 4, "氨": 1, "环氧乙烷": 7, "氯化氢": 11, "溴甲烷": 17, "氯": 12, "硫化氢": 10,
                "氟化氢": 20, "二氧化氮": 3, "氰化氢": 25, "碳酰氯": 6, "磷化氢": 9, "异氰酸甲酯": 30, "一氧化碳": 13}
# Tables 2 and 4: Q and β by category symbol.
TABLE_2_4 = {
    "J1": ("5", "4"), "J2": ("50", "1"), "J3": ("50", "2"), "J4": ("50", "2"), "J5": ("500", "1"),
    "W1.1": ("1", "2"), "W1.2": ("10", "2"), "W1.3": ("50", "2"), "W2": ("10", "1.5"), "W3": ("150", "1"),
    "W4": ("50", "1"), "W5.1": ("10", "1.5"), "W5.2": ("50", "1"), "W5.3": ("1000", "1"), "W5.4": ("5000", "1"),
    "W6.1": ("10", "1.5"), "W6.2": ("50", "1"), "W7.1": ("10", "1.5"), "W7.2": ("50", "1"), "W8": ("50", "1"),
    "W9.1": ("50", "1"), "W9.2": ("200", "1"), "W10": ("200", "1"), "W11": ("200", "1"),
}

TABLE_1 = [
    (1, '氨', '10'),
    (2, '二氟化氧', '1'),
    (3, '二氧化氮', '1'),
    (4, '二氧化硫', '20'),
    (5, '氟', '1'),
    (6, '碳酰氯', '0.3'),
    (7, '环氧乙烷', '10'),
    (8, '甲醛(含量>90%)', '5'),
    (9, '磷化氢', '1'),
    (10, '硫化氢', '5'),
    (11, '氯化氢(无水)', '20'),
    (12, '氯', '5'),
    (13, '煤气(CO, CO和H₂、CH₄的混合物等)', '20'),
    (14, '砷化氢', '1'),
    (15, '锑化氢', '1'),
    (16, '硒化氢', '1'),
    (17, '溴甲烷', '10'),
    (18, '丙酮氰醇', '20'),
    (19, '丙烯醛', '20'),
    (20, '氟化氢', '1'),
    (21, '1-氯-2,3-环氧丙烷', '20'),
    (22, '3-溴-1,2-环氧丙烷', '20'),
    (23, '甲苯二异氰酸酯', '100'),
    (24, '一氯化硫', '1'),
    (25, '氰化氢', '1'),
    (26, '三氧化硫', '75'),
    (27, '3-氨基丙烯', '20'),
    (28, '溴', '20'),
    (29, '乙撑亚胺', '20'),
    (30, '异氰酸甲酯', '0.75'),
    (31, '叠氮化钡', '0.5'),
    (32, '叠氮化铅', '0.5'),
    (33, '雷汞', '0.5'),
    (34, '三硝基苯甲醚', '5'),
    (35, '2,4,6-三硝基甲苯', '5'),
    (36, '硝化甘油', '1'),
    (37, '硝化纤维素[干的或含水(或乙醇)<25%]', '1'),
    (38, '硝化纤维素(未改型的,或增塑的,含增塑剂<18%)', '1'),
    (39, '硝化纤维素(含乙醇≥25%)', '10'),
    (40, '硝化纤维素(含氮≤12.6%)', '50'),
    (41, '硝化纤维素(含水≥25%)', '50'),
    (42, '硝化纤维素溶液(含氮量≤12.6%,含硝化纤维素≤55%)', '50'),
    (43, '硝酸铵(含可燃物>0.2%…)', '5'),
    (44, '硝酸铵(含可燃物≤0.2%)', '50'),
    (45, '硝酸铵肥料(含可燃物≤0.4%)', '200'),
    (46, '硝酸钾', '1000'),
    (47, '1,3-丁二烯', '5'),
    (48, '二甲醚', '50'),
    (49, '甲烷,天然气', '50'),
    (50, '氯乙烯', '50'),
    (51, '氢', '5'),
    (52, '液化石油气(含丙烷、丁烷及其混合物)', '50'),
    (53, '一甲胺', '5'),
    (54, '乙炔', '1'),
    (55, '乙烯', '50'),
    (56, '氧(压缩的或液化的)', '200'),
    (57, '苯', '50'),
    (58, '苯乙烯', '500'),
    (59, '丙酮', '500'),
    (60, '2-丙烯腈', '50'),
    (61, '二硫化碳', '50'),
    (62, '环己烷', '500'),
    (63, '1,2-环氧丙烷', '10'),
    (64, '甲苯', '500'),
    (65, '甲醇', '500'),
    (66, '汽油(乙醇汽油、甲醇汽油)', '200'),
    (67, '乙醇', '500'),
    (68, '乙醚', '10'),
    (69, '乙酸乙酯', '500'),
    (70, '正己烷', '500'),
    (71, '过乙酸', '10'),
    (72, '过氧化甲基乙基酮(10%<有效氧≤10.7%,含A型稀释剂≥48%)', '10'),
    (73, '白磷', '50'),
    (74, '烷基铝', '1'),
    (75, '戊硼烷', '1'),
    (76, '过氧化钾', '20'),
    (77, '过氧化钠', '20'),
    (78, '氯酸钾', '100'),
    (79, '氯酸钠', '100'),
    (80, '发烟硝酸', '20'),
    (81, '硝酸(发红烟的除外,含硝酸>70%)', '100'),
    (82, '硝酸胍', '50'),
    (83, '碳化钙', '100'),
    (84, '钾', '1'),
    (85, '钠', '10'),
]


# -- identification: S ------------------------------------------------------------------------------

def test_s_is_the_sum_of_q_over_threshold():
    # 液氯 3 t (Q 5) + 液氨 4 t (Q 10): 3/5 + 4/10 = 0.6 + 0.4 = 1.0 -> exactly on the boundary.
    assert gb18218.s_value([(3, 5), (4, 10)]) == 1.0
    assert gb18218.is_major(gb18218.s_exact([(3, 5), (4, 10)]))


def test_s_on_the_boundary_is_exact_even_where_floats_are_not():
    # 0.7/0.8 + 0.1/0.8 is 0.9999999999999999 in floats, which would miss a major hazard; exactly it is 1.
    assert 0.7 / 0.8 + 0.1 / 0.8 < 1.0
    assert gb18218.s_exact([(0.7, 0.8), (0.1, 0.8)]) == 1
    assert gb18218.s_value([(0.7, 0.8), (0.1, 0.8)]) == 1.0
    assert gb18218.is_major(gb18218.s_exact([(0.7, 0.8), (0.1, 0.8)]))


def test_s_just_below_one_is_not_major():
    assert not gb18218.is_major(gb18218.s_exact([("4.999", 5)]))
    assert gb18218.is_major(gb18218.s_exact([("5", 5)]))


def test_a_single_substance_at_its_threshold_is_major():
    assert gb18218.s_value([(50, 50)]) == 1.0


def test_s_rejects_nonsense():
    with pytest.raises(ValueError):
        gb18218.s_value([(-1, 5)])
    with pytest.raises(ValueError):
        gb18218.s_value([(1, 0)])
    with pytest.raises(ValueError):
        gb18218.s_value([(float("nan"), 5)])


def test_empty_unit_has_s_zero():
    assert gb18218.s_value([]) == 0.0


# -- grading: α, β, R, grade -----------------------------------------------------------------------

@pytest.mark.parametrize(("people", "alpha"), [
    (0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (100000, 2.0),
])
def test_alpha_follows_table_5_including_its_edges(people, alpha):
    assert gb18218.alpha_for_exposed(people) == alpha


def test_alpha_refuses_negative_or_fractional_people():
    with pytest.raises(ValueError):
        gb18218.alpha_for_exposed(-1)
    with pytest.raises(TypeError):
        gb18218.alpha_for_exposed(1.5)


@pytest.mark.parametrize(("r", "expected"), [
    (1000, 1), (100, 1), ("99.999", 2), (50, 2), ("49.999", 3), (10, 3), ("9.999", 4), (0.5, 4), (0, 4),
])
def test_grade_follows_table_6_at_every_boundary(r, expected):
    assert gb18218.grade(r) == expected


def test_grade_refuses_negative_r():
    with pytest.raises(ValueError):
        gb18218.grade(-1)


def test_r_worked_example_chlorine_and_ammonia_storage():
    # 液氯 20 t (Q 5, β 4) and 液氨 30 t (Q 10, β 2), 120 people within 500 m (α 2):
    # R = 2 × (4 × 20/5 + 2 × 30/10) = 2 × (16 + 6) = 44 -> 三级.
    r = gb18218.r_value([(20, 5, 4), (30, 10, 2)], gb18218.alpha_for_exposed(120))
    assert r == 44.0
    assert gb18218.grade(r) == 3


def test_r_worked_example_exactly_on_grade_two():
    # LPG 500 t (Q 50, β 1.5), 60 people (α 1.5): R = 1.5 × 1.5 × 500/50 = 2.25 × 10 = 22.5 -> 三级;
    # with 1000 t and 200 people (α 2): 2 × 1.5 × 20 = 60 -> 二级; 氯 25 t alone at α 2.5 is not in the table,
    # so 氯 12.5 t, α 2: 2 × 4 × 12.5/5 = 20 -> 三级; 氯 62.5 t: 2 × 4 × 12.5 = 100 -> exactly 一级.
    assert gb18218.r_value([(500, 50, 1.5)], 1.5) == 22.5
    assert gb18218.r_value([(1000, 50, 1.5)], 2) == 60
    assert gb18218.grade(gb18218.r_exact([("62.5", 5, 4)], 2)) == 1
    assert gb18218.grade(gb18218.r_exact([("62.4", 5, 4)], 2)) == 2


def test_r_boundaries_are_exact():
    # α 1.2 × β 1.5 × q/Q: with q/Q = 50/1.8 the exact R is 50 -> 二级, though floats stray.
    items = [(Fraction(50, 1) / Fraction("1.8"), 1, "1.5")]
    assert gb18218.r_exact(items, "1.2") == 50
    assert gb18218.grade(gb18218.r_exact(items, "1.2")) == 2


def test_assess_combines_the_catalog_the_alpha_and_the_grade():
    # 液氯 T1-12 (Q 5, β 4) 10 t, 甲醇 T1-65 (Q 500, β 1 as W5.3) 250 t, 40 people (α 1.2):
    # S = 10/5 + 250/500 = 2.5 -> major; R = 1.2 × (4 × 2 + 1 × 0.5) = 1.2 × 8.5 = 10.2 -> 三级.
    result = gb18218.assess([(10, "T1-12"), (250, "T1-65")], exposed_people=40)
    assert result.s == Fraction(5, 2)
    assert result.r == Fraction("10.2")
    assert (result.major, result.grade) == (True, 3)


def test_assess_gives_no_grade_below_s_one():
    result = gb18218.assess([(4, "T1-12")], exposed_people=500)
    assert not result.major
    assert result.grade is None


def test_assess_refuses_an_unknown_chemical():
    with pytest.raises(KeyError):
        gb18218.assess([(1, "T1-99")], exposed_people=0)


# -- the catalog ---------------------------------------------------------------------------------------

def test_catalog_has_every_table_1_row_with_its_threshold():
    catalog = gb18218.catalog()
    for number, name, threshold in TABLE_1:
        chemical = catalog[f"T1-{number:02d}"]
        assert chemical.name.startswith(name.rstrip("…)").rstrip("…")), (number, chemical.name)
        assert chemical.threshold == Fraction(threshold), name
    assert sum(1 for c in catalog.values() if c.table == 1) == len(TABLE_1) == 85


def test_catalog_has_every_table_2_category_with_q_and_beta():
    catalog = gb18218.catalog()
    for symbol, (threshold, beta) in TABLE_2_4.items():
        assert catalog[symbol].threshold == Fraction(threshold), symbol
        assert catalog[symbol].beta == Fraction(beta), symbol
    assert sum(1 for c in catalog.values() if c.table == 2) == 24


@pytest.mark.parametrize(("name", "beta"), sorted(TABLE_3.items()))
def test_table_3_gases_take_their_own_beta(name, beta):
    chemical = gb18218.catalog()[f"T1-{TABLE_3_ROWS[name]:02d}"]
    assert chemical.beta == beta
    assert gb18218.table3_beta()[name] == beta


@pytest.mark.parametrize(("name", "beta"), [("液化石油气", "1.5"), ("天然气", "1.5"), ("氢", "1.5"), ("乙炔", "1.5"),
                                            ("甲醇", "1"), ("汽油", "1"), ("苯", "1")])
def test_other_named_chemicals_take_beta_from_their_category(name, beta):
    chemical = next(c for c in gb18218.catalog().values()
                    if c.table == 1 and (c.name == name or c.name.startswith(name) or name in c.name.split(",")))
    assert chemical.beta == Fraction(beta)
    assert chemical.beta == gb18218.catalog()[chemical.category].beta


def test_every_named_chemical_has_a_known_category():
    catalog = gb18218.catalog()
    for chemical in catalog.values():
        assert chemical.category in TABLE_2_4, chemical.name


def test_find_by_name_alias_and_cas():
    assert gb18218.find("液氯").key == "T1-12"
    assert gb18218.find("7664-41-7").key == "T1-01"
    assert gb18218.find("光气").threshold == Fraction(3, 10)
    assert gb18218.find("不存在的物质") is None
