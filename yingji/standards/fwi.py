"""The Canadian Forest Fire Weather Index (FWI) System and the five fire danger levels.

- The equations are those of Van Wagner (1987), "Development and structure of the Canadian Forest Fire Weather
  Index System", Forestry Technical Report 35, as programmed in Van Wagner & Pickett (1985), "Equations and
  FORTRAN program for the Canadian Forest Fire Weather Index System", Forestry Technical Report 33. Equation
  numbers below are theirs. Inputs are local-noon weather: temperature (°C), relative humidity (%), 10 m wind
  (km/h) and 24-hour precipitation (mm); each moisture code is a function of the previous day's code.
- The constant is 147.27723 (250 × 59.5 / 101, as the cffdrs reference software writes it; Van Wagner 1987 prints
  147.2) in both FFMC moisture conversions and in the ISI, with the algebraically equal forms of the DMC rain phase
  that cffdrs uses, so results agree with cffdrs (cffdrs/cffdrs_r; with 147.2 chained outputs drift from it by up
  to about 0.2 FWI). Start values FFMC 85, DMC 6, DC 15 (``START_FFMC`` ...). Argument names and order follow
  cffdrs (``fine_fuel_moisture_code(ffmc_yda, temp, rh, ws, prec)`` and so on), including its latitude adjustment
  of the day-length factors.
- Danger levels: the Chinese 森林火险等级 (QX/T 77-2007 森林火险气象等级, five levels 一级 低 … 五级 极高) are not
  defined on the FWI (LY/T 1172-95 sums weather factors of its own), so the FWI → level mapping is yingji's
  default (``DANGER_BOUNDS``; ``danger_level`` takes other bounds): FWI < 5 一级; 5 ≤ FWI < 14 二级;
  14 ≤ FWI < 21 三级; 21 ≤ FWI < 33 四级; FWI ≥ 33 五级, each lower bound in its level — the five classes the
  Minnesota DNR uses for the Canadian FWI (EFFIS's six classes, 5.2 / 11.2 / 21.3 / 38 / 50, are an alternative).
  Names and colours are QX/T 77-2007's.

Pure functions; no Django imports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

START_FFMC = 85.0
START_DMC = 6.0
START_DC = 15.0

# 250 × 59.5 / 101 rounded as cffdrs writes it; Van Wagner 1987 prints 147.2.
FFMC_COEFFICIENT = 147.27723

# Day-length factors for the DMC (Le) by latitude band, January..December (cffdrs `duff_moisture_code`).
DMC_DAY_LENGTH_46N = (6.5, 7.5, 9.0, 12.8, 13.9, 13.9, 12.4, 10.9, 9.4, 8.0, 7.0, 6.0)  # lat > 30 (Van Wagner 1987)
DMC_DAY_LENGTH_20N = (7.9, 8.4, 8.9, 9.5, 9.9, 10.2, 10.1, 9.7, 9.1, 8.6, 8.1, 7.8)  # 10 < lat <= 30
DMC_DAY_LENGTH_20S = (10.1, 9.6, 9.1, 8.5, 8.1, 7.8, 7.9, 8.3, 8.9, 9.4, 9.9, 10.2)  # -30 < lat <= -10
DMC_DAY_LENGTH_40S = (11.5, 10.5, 9.2, 7.9, 6.8, 6.2, 6.5, 7.4, 8.7, 10.0, 11.2, 11.8)  # lat <= -30
DMC_DAY_LENGTH_EQUATOR = 9.0  # -10 < lat <= 10

# Day-length adjustments for the DC (Lf), January..December (cffdrs `drought_code`).
DC_DAY_LENGTH_NORTH = (-1.6, -1.6, -1.6, 0.9, 3.8, 5.8, 6.4, 5.0, 2.4, 0.4, -1.6, -1.6)  # lat > 20
DC_DAY_LENGTH_SOUTH = (6.4, 5.0, 2.4, 0.4, -1.6, -1.6, -1.6, -1.6, -1.6, 0.9, 3.8, 5.8)  # lat <= -20
DC_DAY_LENGTH_EQUATOR = 1.4  # -20 < lat <= 20

# yingji's default (see above): lower bounds of 二级..五级; below the first bound is 一级.
DANGER_BOUNDS: tuple[float, float, float, float] = (5.0, 14.0, 21.0, 33.0)
DANGER_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
# QX/T 77-2007 森林火险气象等级: 一级 低 绿, 二级 较低 蓝, 三级 较高 黄, 四级 高 橙, 五级 极高 红.
DANGER_LABELS = {1: "一级（低火险）", 2: "二级（较低火险）", 3: "三级（较高火险）", 4: "四级（高火险）",
                 5: "五级（极高火险）"}
DANGER_COLORS = {1: "#2ca02c", 2: "#1f77b4", 3: "#e6c200", 4: "#ff7f0e", 5: "#d62728"}


def _check_month(mon: int) -> None:
    if not 1 <= mon <= 12:
        raise ValueError(f"month must be 1..12, not {mon}")


def _check_weather(rh: float, prec: float, ws: float | None = None) -> None:
    if not 0 <= rh <= 100:
        raise ValueError(f"relative humidity must be 0..100 %, not {rh}")
    if prec < 0:
        raise ValueError(f"precipitation cannot be negative: {prec}")
    if ws is not None and ws < 0:
        raise ValueError(f"wind speed cannot be negative: {ws}")


def ffmc(ffmc_yda: float, temp: float, rh: float, ws: float, prec: float) -> float:
    """Fine Fuel Moisture Code from yesterday's FFMC and today's noon weather (Van Wagner 1987 eqs. 1-10)."""
    _check_weather(rh, prec, ws)
    # Eq. 1: moisture content of yesterday's fine fuel.
    wmo = FFMC_COEFFICIENT * (101.0 - ffmc_yda) / (59.5 + ffmc_yda)
    if prec > 0.5:
        # Eq. 2: the first 0.5 mm is held by the canopy.
        ra = prec - 0.5
        # Eqs. 3a, 3b.
        gain = 42.5 * ra * math.exp(-100.0 / (251.0 - wmo)) * (1.0 - math.exp(-6.93 / ra))
        if wmo > 150.0:
            gain += 0.0015 * (wmo - 150.0) ** 2 * math.sqrt(ra)
        wmo = min(wmo + gain, 250.0)
    # Eqs. 4, 5: equilibrium moisture content for drying and for wetting.
    humidity_term = 0.18 * (21.1 - temp) * (1.0 - math.exp(-0.115 * rh))
    ed = 0.942 * rh**0.679 + 11.0 * math.exp((rh - 100.0) / 10.0) + humidity_term
    ew = 0.618 * rh**0.753 + 10.0 * math.exp((rh - 100.0) / 10.0) + humidity_term
    if wmo > ed:
        # Eqs. 6a, 6b, 8: drying.
        ko = 0.424 * (1.0 - (rh / 100.0) ** 1.7) + 0.0694 * math.sqrt(ws) * (1.0 - (rh / 100.0) ** 8)
        kd = ko * 0.581 * math.exp(0.0365 * temp)
        wm = ed + (wmo - ed) / 10.0**kd
    elif wmo < ew:
        # Eqs. 7a, 7b, 9: wetting.
        dry = (100.0 - rh) / 100.0
        kl = 0.424 * (1.0 - dry**1.7) + 0.0694 * math.sqrt(ws) * (1.0 - dry**8)
        kw = kl * 0.581 * math.exp(0.0365 * temp)
        wm = ew - (ew - wmo) / 10.0**kw
    else:
        wm = wmo
    # Eq. 10.
    value = 59.5 * (250.0 - wm) / (FFMC_COEFFICIENT + wm)
    return min(max(value, 0.0), 101.0)


def _dmc_day_length(lat: float, mon: int, lat_adjust: bool) -> float:
    if not lat_adjust or lat > 30:
        return DMC_DAY_LENGTH_46N[mon - 1]
    if lat > 10:
        return DMC_DAY_LENGTH_20N[mon - 1]
    if lat > -10:
        return DMC_DAY_LENGTH_EQUATOR
    if lat > -30:
        return DMC_DAY_LENGTH_20S[mon - 1]
    return DMC_DAY_LENGTH_40S[mon - 1]


def dmc(dmc_yda: float, temp: float, rh: float, prec: float, lat: float, mon: int, *,
        lat_adjust: bool = True) -> float:
    """Duff Moisture Code from yesterday's DMC, today's weather, latitude and month (eqs. 11-17)."""
    _check_month(mon)
    _check_weather(rh, prec)
    temp = max(temp, -1.1)
    # Eq. 16 with the day length of the latitude band; ×100 of eq. 17 folded into the 1e-4.
    rk = 1.894 * (temp + 1.1) * (100.0 - rh) * _dmc_day_length(lat, mon, lat_adjust) * 1e-4
    if prec <= 1.5:
        pr = dmc_yda
    else:
        # Eq. 11: effective rain.
        rw = 0.92 * prec - 1.27
        # Eq. 12 in cffdrs' exact form: 20 + e^(5.6348 - P/43.43) = 20 + 280 / e^(0.023 P).
        wmi = 20.0 + 280.0 / math.exp(0.023 * dmc_yda)
        # Eqs. 13a-13c.
        if dmc_yda <= 33:
            b = 100.0 / (0.5 + 0.3 * dmc_yda)
        elif dmc_yda <= 65:
            b = 14.0 - 1.3 * math.log(dmc_yda)
        else:
            b = 6.2 * math.log(dmc_yda) - 17.2
        # Eq. 14, then eq. 15 in cffdrs' exact form.
        wmr = wmi + 1000.0 * rw / (48.77 + b * rw)
        pr = 43.43 * (5.6348 - math.log(wmr - 20.0))
    pr = max(pr, 0.0)
    return max(pr + rk, 0.0)


def _dc_day_length(lat: float, mon: int, lat_adjust: bool) -> float:
    if not lat_adjust or lat > 20:
        return DC_DAY_LENGTH_NORTH[mon - 1]
    if lat > -20:
        return DC_DAY_LENGTH_EQUATOR
    return DC_DAY_LENGTH_SOUTH[mon - 1]


def dc(dc_yda: float, temp: float, rh: float, prec: float, lat: float, mon: int, *,
       lat_adjust: bool = True) -> float:
    """Drought Code from yesterday's DC, today's weather, latitude and month (eqs. 18-23).

    Relative humidity does not enter the DC; it is an argument because cffdrs takes it.
    """
    _check_month(mon)
    _check_weather(rh, prec)
    temp = max(temp, -2.8)
    # Eq. 22: potential evapotranspiration, not negative in winter.
    pe = max((0.36 * (temp + 2.8) + _dc_day_length(lat, mon, lat_adjust)) / 2.0, 0.0)
    if prec <= 2.8:
        dr = dc_yda
    else:
        # Eqs. 18, 19, and 20-21 in cffdrs' combined form.
        rw = 0.83 * prec - 1.27
        smi = 800.0 * math.exp(-dc_yda / 400.0)
        dr = max(dc_yda - 400.0 * math.log(1.0 + 3.937 * rw / smi), 0.0)
    return max(dr + pe, 0.0)


def isi(ffmc: float, ws: float) -> float:
    """Initial Spread Index from today's FFMC and wind (eqs. 24-26)."""
    if ws < 0:
        raise ValueError(f"wind speed cannot be negative: {ws}")
    fm = FFMC_COEFFICIENT * (101.0 - ffmc) / (59.5 + ffmc)
    f_wind = math.exp(0.05039 * ws)
    f_fuel = 91.9 * math.exp(-0.1386 * fm) * (1.0 + fm**5.31 / 4.93e7)
    return 0.208 * f_wind * f_fuel


def bui(dmc: float, dc: float) -> float:
    """Buildup Index from today's DMC and DC (eqs. 27a, 27b)."""
    if dmc == 0 and dc == 0:
        return 0.0
    value = 0.8 * dc * dmc / (dmc + 0.4 * dc)
    if value < dmc:
        p = (dmc - value) / dmc
        cc = 0.92 + (0.0114 * dmc) ** 1.7
        value = max(dmc - cc * p, 0.0)
    return value


def fwi(isi: float, bui: float) -> float:
    """Fire Weather Index from today's ISI and BUI (eqs. 28a, 28b, 29, 30a, 30b)."""
    if bui > 80:
        fd = 1000.0 / (25.0 + 108.64 / math.exp(0.023 * bui))
    else:
        fd = 0.626 * bui**0.809 + 2.0
    bb = 0.1 * isi * fd
    if bb <= 1:
        return bb
    return math.exp(2.72 * (0.434 * math.log(bb)) ** 0.647)


def dsr(fwi: float) -> float:
    """Daily Severity Rating (Van Wagner 1987 eq. 41)."""
    return 0.0272 * fwi**1.77


def danger_level(fwi: float, bounds: Sequence[float] = DANGER_BOUNDS) -> int:
    """The fire danger level 1 (一级) .. 5 (五级) of an FWI value; each lower bound belongs to its level."""
    if len(bounds) != 4 or any(later <= earlier for earlier, later in zip(bounds, bounds[1:], strict=False)):
        raise ValueError("bounds must be four increasing FWI values")
    if fwi < 0:
        raise ValueError(f"FWI cannot be negative: {fwi}")
    level = 1
    for bound in bounds:
        if fwi >= bound:
            level += 1
    return level


@dataclass(frozen=True)
class Day:
    """One day's codes and indices."""

    ffmc: float
    dmc: float
    dc: float
    isi: float
    bui: float
    fwi: float

    @property
    def dsr(self) -> float:
        return dsr(self.fwi)


def daily(*, ffmc_yda: float, dmc_yda: float, dc_yda: float, temp: float, rh: float, ws: float, prec: float,
          lat: float, mon: int) -> Day:
    """All six components for one day, carried from yesterday's three moisture codes."""
    today_ffmc = ffmc(ffmc_yda, temp, rh, ws, prec)
    today_dmc = dmc(dmc_yda, temp, rh, prec, lat, mon)
    today_dc = dc(dc_yda, temp, rh, prec, lat, mon)
    today_isi = isi(today_ffmc, ws)
    today_bui = bui(today_dmc, today_dc)
    return Day(ffmc=today_ffmc, dmc=today_dmc, dc=today_dc, isi=today_isi, bui=today_bui,
               fwi=fwi(today_isi, today_bui))
