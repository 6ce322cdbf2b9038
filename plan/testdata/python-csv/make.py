# Writes picks.csv with Python's csv.writer (QUOTE_MINIMAL, \r\n, a BOM)
# and expected.json with the detail and source of each record, for
# TestPythonCSVCorpus. Run: python3 make.py (deterministic seed).
import csv, json, random

random.seed(4180)
alphabet = list('ab 甲乙,"\n=+-@\t;\'') + ['\r\n', '"新星"', '=HYPERLINK("x",A1,"y")', "=1+cmd|'/C calc'!A0"]

def field():
    return ''.join(random.choice(alphabet) for _ in range(random.randint(0, 12)))

rows, expected = [], []
for i in range(400):
    detail, source = field(), field()
    rows.append(['500120', '璧山区', 'main' if i % 2 else 'special', 'CQ-ICV', detail, source])
    expected.append({'detail': detail, 'source': source})
with open('picks.csv', 'w', newline='', encoding='utf-8-sig') as f:
    w = csv.writer(f)
    w.writerow(['unit_code', 'unit_name', 'role', 'industry', 'detail', 'source'])
    w.writerows(rows)
with open('expected.json', 'w', encoding='utf-8') as f:
    json.dump(expected, f, ensure_ascii=False, indent=0)
