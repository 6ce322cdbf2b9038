// What a source's address says of it: who published it (for the few
// publishers recognised by their host), on what day (from the dates
// news sites put in their paths), and whether it is an official site
// (a government's .gov.cn). Titles are not in the data.
import { state } from "./state.js";

// Hosts whose publisher is known, [Chinese, English].
const publishers = {
  "news.cn": ["新华网", "Xinhua"],
  "cqrb.cn": ["重庆日报", "Chongqing Daily"],
  "cqqj.gov.cn": ["綦江区人民政府", "Qijiang District Government"],
  "cqrd.gov.cn": ["重庆市人大", "Chongqing People's Congress"],
  "investincq.com": ["重庆市招商投资促进局", "Invest in Chongqing"],
  "cflp.org.cn": ["中国物流与采购联合会", "China Federation of Logistics and Purchasing"],
};

const datePatterns = [
  /(20\d{2})-(\d{2})-(\d{2})/, // 2024-12-26
  /(20\d{2})-(\d{2})\/(\d{2})\//, // 2022-09/17/
  /\/(20\d{2})\/(\d{2})(\d{2})\//, // /2023/0819/
  /\/(20\d{2})(\d{2})\/(\d{2})\//, // /202412/17/
  /[/t](20\d{2})(\d{2})(\d{2})[/_]/, // /20251225/, t20260122_
];

// sourceInfo reads an address: {host, publisher, date, official}.
export function sourceInfo(url) {
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  const known = Object.keys(publishers).find((h) => host === h || host.endsWith(`.${h}`));
  let date = "";
  for (const p of datePatterns) {
    const m = p.exec(url);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) {
      date = `${m[1]}-${m[2]}-${m[3]}`;
      break;
    }
  }
  const name = known ? publishers[known][state.lang === "en" ? 1 : 0] : "";
  return { host, publisher: name, date, official: host.endsWith(".gov.cn") };
}
