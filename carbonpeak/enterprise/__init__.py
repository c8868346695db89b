"""Enterprise carbon accounts of key units (issue 19 of the plan's tracker; docs/methods/enterprise.md).

uscc.py        统一社会信用代码 check digit (GB 32100-2015)
industries.py  industries (GB/T 4754-2017 divisions) and their guideline factors
validate.py    checks of the register and the annual / monthly report rows
accounts.py    CO2 of reported energy, processes and electricity with the city's factors
scheme.py      grading schemes as data (schemes/*.yaml)
grading.py     carbon-efficiency grading (L, K, grades 1–5), vectorised
ets.py         national ETS compliance per compliance period
efficiency.py  两高: specific energy use against 能效标杆水平 / 基准水平
reconcile.py   the enterprises' sum against the city inventory by sector
"""
