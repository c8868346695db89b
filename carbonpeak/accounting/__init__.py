"""carbonpeak.accounting: the city GHG inventory (碳排放统计核算) with a sourced factor library.

Functions the rest of the platform calls (pure; arrays on labelled axes; units in docstrings):

    read_balance(rows) -> Balance               validate a long energy balance (region, year, sector,
                                                fuel, quantity, unit[, flag, method, source]); every
                                                bad row reported in one BalanceError
    parse_csv(text) -> rows                     the rows of a balance CSV
    inventory(balance, factor_set) -> Inventory CO2 (t) by region × year × sector × fuel; totals for
                                                energy, processes, net imported electricity
                                                (grid_region="auto": provincial → regional → national
                                                grid factor by data/grid_regions.csv)
    ceads_view(inv)                             energy CO2 on the 47 CEADs sectors (power and heat in S39)
    intensity(total, denominator)               t CO2 per person / per 万元 GDP
    total_energy(balance, method)               tce; "calorific" (当量值) | "coal_equivalent" (发电煤耗)
    energy_mix(balance, method)                 coal / oil / gas / non_fossil / net_import_electricity shares;
                                                non_fossil counts the non-fossil part of imported
                                                electricity (convention="origin") or not ("separate")
    approach1(inv), approach2(inv, n, rng)      IPCC uncertainty Approach 1 and 2
    lineage(inv, region, year, sector, fuel)    input rows and factor rows behind one output cell
    factors.*                                   fuels(), sectors(), combustion_factors(), grid_factors() …

Data files (documented column lists in docs/methods/inventory.md): data/fuels.csv, data/sectors.csv,
data/combustion_factors.csv, data/standard_coal.csv, data/grid_factors.csv,
data/generation_coal_rate.csv, data/process_factors.csv, data/grid_regions.csv,
data/import_non_fossil_share.csv.
"""

from carbonpeak.accounting import factors
from carbonpeak.accounting.balance import Balance, parse_csv, read_balance
from carbonpeak.accounting.energy import energy_mix, total_energy
from carbonpeak.accounting.inventory import Inventory, Lineage, ceads_view, intensity, inventory, lineage
from carbonpeak.accounting.uncertainty import MonteCarlo, approach1, approach2

__all__ = [
    "Balance",
    "Inventory",
    "Lineage",
    "MonteCarlo",
    "approach1",
    "approach2",
    "ceads_view",
    "energy_mix",
    "factors",
    "intensity",
    "inventory",
    "lineage",
    "parse_csv",
    "read_balance",
    "total_energy",
]
