"""The FWI System against the cffdrs reference table, and the five danger levels at every bound.

The table is `tests/data/fwi_01.csv` of the cffdrs reference software (cffdrs/cffdrs_r): 48 days at 40°N from
the start values 85 / 6 / 15, each day computed from the previous day's codes, with the reference's outputs
printed to six significant figures. Our values must print the same to six significant figures, every day,
every component (Van Wagner 1987 with cffdrs's constant 147.27723; start values 85 / 6 / 15).
"""

import csv
import io
import math

import pytest

from yingji.standards import fwi

CFFDRS_FWI_01 = """\
LONG,LAT,YR,MON,DAY,TEMP,RH,WS,PREC,FFMC,DMC,DC,ISI,BUI,FWI,DSR
-100,40,1985,4,13,17,42,25,0,87.6494,8.54505,19.014,10.7762,8.49043,10.0362,1.61193
-100,40,1985,4,14,20,21,25,2.4,86.2009,10.4019,23.568,8.77083,10.3553,9.22044,1.38733
-100,40,1985,4,15,8.5,40,17,0,86.908,11.7983,26.052,6.4782,11.7392,7.51672,0.966361
-100,40,1985,4,16,6.5,25,6,0,88.7592,13.1801,28.176,4.85066,13.1052,6.09501,0.666766
-100,40,1985,4,17,13,34,24,0,89.0413,15.4362,31.47,12.5116,15.3374,14.7346,3.18073
-100,40,1985,4,18,6,40,22,0.4,88.5883,16.469,33.504,10.5995,16.3685,13.3554,2.67291
-100,40,1985,4,19,5.5,52,6,0,87.2785,17.237,35.448,3.92329,17.1413,5.79642,0.610045
-100,40,1985,4,20,8.5,46,16,0,87.2785,18.4938,37.932,6.49368,18.396,9.50179,1.46314
-100,40,1985,4,21,9.5,54,20,0,86.7295,19.6759,40.596,7.34665,19.5803,10.8784,1.85903
-100,40,1985,4,22,7,93,14,9,29.8312,10.1447,29.5247,0.00662331,10.9141,0.00419136,1.68321e-06
-100,40,1985,4,23,6.5,71,17,1,49.3951,10.679,31.6487,0.357734,11.5852,0.234039,0.0020807
-100,40,1985,4,24,6,59,17,0,67.216,11.3847,33.6827,1.34637,12.3412,0.912918,0.0231491
-100,40,1985,4,25,13,52,4,0,77.7289,13.0255,36.9767,1.12601,13.8521,0.816221,0.0189875
-100,40,1985,4,26,15.5,40,11,0,85.4145,15.4401,40.7207,3.88038,15.8529,5.47411,0.551295
-100,40,1985,4,27,23,25,9,0,91.4609,19.8221,45.8147,8.30586,19.7828,12.0793,2.2376
-100,40,1985,4,28,19,46,16,0,89.8744,22.4534,50.1887,9.42255,22.3965,14.1963,2.97798
-100,40,1985,4,29,18,41,20,0,89.8744,25.1854,54.3827,11.5267,25.1093,17.4972,4.31146
-100,40,1985,4,30,14.5,51,16,0,88.36,27.0385,57.9467,7.58145,26.9574,13.1671,2.60656
-100,40,1985,5,1,14.5,69,11,0,85.6441,28.3117,62.9607,4.00639,28.2494,7.9461,1.06621
-100,40,1985,5,2,15.5,42,8,0,87.3232,30.8464,68.1547,4.36709,30.7792,9.00639,1.33083
-100,40,1985,5,3,21,37,8,0,89.3279,34.5119,74.3387,5.82156,34.4282,12.1685,2.26693
-100,40,1985,5,4,23,32,16,0,90.9307,38.8263,80.8827,10.9595,38.7198,20.8805,5.89536
-100,40,1985,5,5,23,32,14,0,91.1519,43.1407,87.4267,10.2261,43.0131,20.9427,5.92647
-100,40,1985,5,6,27,33,12,0,91.6058,48.0972,94.6907,9.8622,47.945,21.5579,6.23812
-100,40,1985,5,7,28,17,27,0,95.1142,54.4558,102.135,34.2657,54.2611,52.3109,29.9555
-100,40,1985,5,8,23.5,54,20,0,89.6503,57.435,108.769,11.1622,57.2409,25.7187,8.52527
-100,40,1985,5,9,16,50,22,12.2,62.1996,29.9207,91.8026,1.40537,32.9739,3.01081,0.191354
-100,40,1985,5,10,11,58,20,0,76.4374,31.2586,96.1866,2.29048,34.4932,5.34122,0.527828
-100,40,1985,5,11,16,54,16,0,83.3326,33.3294,101.471,3.77048,36.6024,8.78643,1.27385
-100,40,1985,5,12,21.5,37,9,0,88.6009,37.0778,107.745,5.51545,39.8618,12.6342,2.42274
-100,40,1985,5,13,14,61,22,0.2,86.6169,38.6282,112.669,7.99689,41.6001,17.1974,4.18157
-100,40,1985,5,14,15,30,27,0,89.5761,41.5952,117.773,15.7149,44.1807,28.6563,10.324
-100,40,1985,5,15,20,23,11,0,92.0697,45.8725,123.777,10.0146,47.6222,21.7208,6.32179
-100,40,1985,5,16,14,95,3,16.4,21.3169,20.0857,96.8932,0.000247601,26.4591,0.000268897,1.30298e-08
-100,40,1985,5,17,20,53,4,2.8,51.0044,18.2351,102.897,0.225644,25.2731,0.23777,0.00213977
-100,40,1985,5,18,19.5,30,16,0,82.2126,22.0314,108.811,3.27266,29.2546,6.75766,0.800403
-100,40,1985,5,19,25.5,51,20,6,75.3197,16.3742,106.332,2.13527,23.6454,3.80234,0.289241
-100,40,1985,5,20,10,38,24,0,84.2683,18.186,110.536,6.3862,25.7717,11.2086,1.96009
-100,40,1985,5,21,19,27,16,0,90.2514,22.0489,116.36,9.94562,29.9228,17.0956,4.13786
-100,40,1985,5,22,26,46,11,4.2,77.5367,18.6711,117.651,1.57779,26.7351,2.91746,0.180979
-100,40,1985,5,23,30,38,22,0,90.1668,23.7474,125.455,13.2946,32.2386,21.913,6.42114
-100,40,1985,5,24,25.5,67,19,12.6,65.2849,13.1392,108.435,1.38858,20.1687,1.86212,0.081749
-100,40,1985,5,25,12,53,28,11.8,55.3883,7.74033,91.5785,1.18299,12.7802,0.81836,0.0190757
-100,40,1985,5,26,21,38,8,0,80.7927,11.3476,97.7625,1.85162,17.5907,2.53186,0.140818
-100,40,1985,5,27,13,70,20,3.8,61.7033,8.40599,97.7989,1.23766,13.8384,0.896632,0.0224231
-100,40,1985,5,28,9,78,24,1.4,64.4326,8.99097,101.823,1.72571,14.7302,1.94105,0.0879821
-100,40,1985,5,29,11,54,16,0,77.5731,10.4563,106.207,2.03573,16.782,2.7655,0.16463
-100,40,1985,5,30,15.5,39,9,0,85.3678,13.1221,111.401,3.48569,20.274,5.71927,0.595747
"""

ROWS = list(csv.DictReader(io.StringIO(CFFDRS_FWI_01)))
COMPONENTS = ["FFMC", "DMC", "DC", "ISI", "BUI", "FWI", "DSR"]


def six_figures(value: float) -> str:
    return f"{value:.6g}"


def chained() -> list[tuple[dict, fwi.Day]]:
    ffmc, dmc, dc = fwi.START_FFMC, fwi.START_DMC, fwi.START_DC
    days = []
    for row in ROWS:
        day = fwi.daily(ffmc_yda=ffmc, dmc_yda=dmc, dc_yda=dc, temp=float(row["TEMP"]), rh=float(row["RH"]),
                        ws=float(row["WS"]), prec=float(row["PREC"]), lat=float(row["LAT"]), mon=int(row["MON"]))
        days.append((row, day))
        ffmc, dmc, dc = day.ffmc, day.dmc, day.dc
    return days


DAYS = chained()


def test_the_reference_table_has_all_48_days():
    assert len(ROWS) == 48
    assert (fwi.START_FFMC, fwi.START_DMC, fwi.START_DC) == (85.0, 6.0, 15.0)
    assert fwi.FFMC_COEFFICIENT == 147.27723


@pytest.mark.parametrize("index", range(48), ids=lambda i: f"{ROWS[i]['MON']}-{ROWS[i]['DAY']}")
def test_each_day_matches_cffdrs_to_six_significant_figures(index):
    row, day = DAYS[index]
    ours = {"FFMC": day.ffmc, "DMC": day.dmc, "DC": day.dc, "ISI": day.isi, "BUI": day.bui, "FWI": day.fwi,
            "DSR": day.dsr}
    for name in COMPONENTS:
        assert six_figures(ours[name]) == six_figures(float(row[name])), (name, ours[name], row[name])


def test_the_functions_take_the_cffdrs_arguments_one_by_one():
    row, day = DAYS[0]
    assert fwi.ffmc(85, 17, 42, 25, 0) == day.ffmc
    assert fwi.dmc(6, 17, 42, 0, 40, 4) == day.dmc
    assert fwi.dc(15, 17, 42, 0, 40, 4) == day.dc
    assert fwi.isi(day.ffmc, 25) == day.isi
    assert fwi.bui(day.dmc, day.dc) == day.bui
    assert fwi.fwi(day.isi, day.bui) == day.fwi
    assert six_figures(fwi.ffmc(85, 17, 42, 25, 0)) == row["FFMC"]


def test_rain_at_the_canopy_and_duff_thresholds_changes_nothing_but_above_does():
    # FFMC: the first 0.5 mm; DMC: 1.5 mm; DC: 2.8 mm are thresholds with "greater than" (eqs. 2, 11, 18).
    assert fwi.ffmc(85, 20, 40, 10, 0.5) == fwi.ffmc(85, 20, 40, 10, 0)
    assert fwi.ffmc(85, 20, 40, 10, 0.6) < fwi.ffmc(85, 20, 40, 10, 0.5)
    assert fwi.dmc(30, 20, 40, 1.5, 36, 6) == fwi.dmc(30, 20, 40, 0, 36, 6)
    assert fwi.dmc(30, 20, 40, 1.6, 36, 6) < fwi.dmc(30, 20, 40, 1.5, 36, 6)
    assert fwi.dc(300, 20, 40, 2.8, 36, 6) == fwi.dc(300, 20, 40, 0, 36, 6)
    assert fwi.dc(300, 20, 40, 2.9, 36, 6) < fwi.dc(300, 20, 40, 2.8, 36, 6)


def test_codes_stay_in_their_ranges():
    assert fwi.ffmc(101, 40, 0, 60, 0) <= 101
    assert fwi.ffmc(0, -30, 100, 0, 200) >= 0
    assert fwi.dmc(0, -40, 100, 0, 36, 1) == 0
    assert fwi.dc(0, -40, 100, 0, 36, 1) == 0
    assert fwi.bui(0, 0) == 0
    assert fwi.fwi(0, 0) == 0


def test_day_length_follows_the_latitude_band():
    north = fwi.dmc(10, 20, 40, 0, 36, 6)
    assert fwi.dmc(10, 20, 40, 0, 20, 6) < north  # 20°N band: June 10.2 instead of 13.9
    assert fwi.dmc(10, 20, 40, 0, 20, 6, lat_adjust=False) == north
    assert fwi.dc(100, 20, 40, 0, 0, 1) > fwi.dc(100, 20, 40, 0, 36, 1)  # equator 1.4 vs January -1.6


@pytest.mark.parametrize("call", [
    lambda: fwi.ffmc(85, 20, 120, 10, 0),
    lambda: fwi.ffmc(85, 20, 40, -1, 0),
    lambda: fwi.ffmc(85, 20, 40, 10, -0.1),
    lambda: fwi.dmc(6, 20, 40, 0, 36, 13),
    lambda: fwi.dc(15, 20, 40, 0, 36, 0),
    lambda: fwi.isi(85, -3),
])
def test_impossible_weather_is_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(("value", "level"), [
    (0, 1), (4.999, 1), (math.nextafter(5.0, 0), 1),
    (5, 2), (13.999, 2), (math.nextafter(14.0, 0), 2),
    (14, 3), (20.999, 3), (math.nextafter(21.0, 0), 3),
    (21, 4), (32.999, 4), (math.nextafter(33.0, 0), 4),
    (33, 5), (52.31, 5), (200, 5),
])
def test_every_danger_level_bound_belongs_to_the_higher_level(value, level):
    assert fwi.danger_level(value) == level


def test_danger_level_bounds_are_configurable():
    effis = (5.2, 11.2, 21.3, 38.0)
    assert fwi.danger_level(5.1, effis) == 1
    assert fwi.danger_level(38.0, effis) == 5
    with pytest.raises(ValueError):
        fwi.danger_level(10, (5, 4, 21, 33))
    with pytest.raises(ValueError):
        fwi.danger_level(-1)


def test_reference_days_fall_into_the_expected_levels():
    levels = [fwi.danger_level(day.fwi) for _row, day in DAYS]
    assert levels[0] == 2  # 10.0362
    assert levels[24] == 5  # 7 May: 52.3109
    assert levels[31] == 4  # 14 May: 28.6563
    assert levels[9] == 1  # 22 April after 9 mm of rain
    assert set(levels) == {1, 2, 3, 4, 5}
