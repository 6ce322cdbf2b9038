package plan

import (
	"strconv"
	"strings"
)

// Lang is the language of a report's titles and messages.
type Lang string

// Languages of reports. Chinese is the default: the planners' language.
const (
	Chinese     Lang = "zh"
	English     Lang = "en"
	DefaultLang      = Chinese
)

// Langs lists the languages reports come in, the default first.
var Langs = []Lang{Chinese, English}

// ParseLang reads a language tag (zh, zh-CN, zh-Hans, en, en-US …) as one
// of Langs.
func ParseLang(tag string) (Lang, bool) {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	for _, l := range Langs {
		if primary == string(l) {
			return l, true
		}
	}
	return "", false
}

// A template is a rule's title and message in one language. Messages
// name their values as {unit}, {industry}, {industries}, {n}, {role},
// {limit}, {actual}, {cluster}, {level}, {year}, {parts}, {as_of},
// {since}, {successors}, {plan}, {zone}.
type template struct{ title, message string }

// messages holds every rule's wording per language, with variants
// (templateKey): a limit broken by repeated rows ("/rows"), a unit not
// yet created on the date ("/later"), a host outside any cluster
// ("/unit"), a unit abolished without successors ("/alone"), a unit
// whose picks its functional zone of the same name holds ("/zone").
var messages = map[string]map[Lang]template{
	RuleUnknownUnit: {
		Chinese: {"未知单位", "单位 {unit} 不属于规划 {plan}"},
		English: {"Unknown unit", "unit {unit} is not a unit of plan {plan}"},
	},
	RuleUnknownUnit + "/later": {
		Chinese: {"单位尚未设立", "{unit}在 {as_of} 尚不存在：{since} 设立"},
		English: {"Unit not yet created", "{unit} is not in force on {as_of}: it was created on {since}"},
	},
	RuleUnknownIndustry: {
		Chinese: {"产业不在目录中", "{unit}：产业“{industry}”不在规划 {plan} 的产业目录中"},
		English: {"Industry not in the catalogue", `{unit}: industry "{industry}" is not in the catalogue of {plan}`},
	},
	RuleMainLimit: {
		Chinese: {"主导产业超过上限", "{unit}有 {actual} 个主导产业（{industries}），上限为 {limit} 个"},
		English: {"Too many main industries", "{unit} has {actual} main industries ({industries}); the limit is {limit}"},
	},
	RuleMainLimit + "/rows": {
		Chinese: {"主导产业超过上限", "{unit}有 {actual} 行主导产业，涉及 {n} 个产业（{industries}），上限为 {limit} 个"},
		English: {"Too many main industries", "{unit} has {actual} main rows naming {n} industries ({industries}); the limit is {limit}"},
	},
	RuleSpecialLimit: {
		Chinese: {"特色产业超过上限", "{unit}有 {actual} 个特色产业（{industries}），上限为 {limit} 个"},
		English: {"Too many special industries", "{unit} has {actual} special industries ({industries}); the limit is {limit}"},
	},
	RuleSpecialLimit + "/rows": {
		Chinese: {"特色产业超过上限", "{unit}有 {actual} 行特色产业，涉及 {n} 个产业（{industries}），上限为 {limit} 个"},
		English: {"Too many special industries", "{unit} has {actual} special rows naming {n} industries ({industries}); the limit is {limit}"},
	},
	RuleMainAndSpecial: {
		Chinese: {"同一产业既是主导又是特色", "{unit}将 {industry} 同时列为主导产业和特色产业"},
		English: {"Main and special at once", "{unit} has {industry} as both a main and a special industry"},
	},
	RuleDuplicateAssignment: {
		Chinese: {"重复的产业", "{unit}将 {industry} 列为{role}产业 {actual} 次"},
		English: {"Repeated industry", "{unit} lists {industry} as {role} {actual} times"},
	},
	RuleUnitUnassigned: {
		Chinese: {"尚未指定产业", "{unit}尚未指定产业"},
		English: {"No industry assigned", "{unit} has no industry assigned"},
	},
	RuleUnitUnassigned + "/zone": {
		Chinese: {"尚未指定产业", "{unit}尚未指定产业：本规划的布局记在同名功能区 {zone}上"},
		English: {"No industry assigned", "{unit} has no industry assigned: the plan's picks for it are the functional zone {zone}'s"},
	},
	RuleRetiredUnit: {
		Chinese: {"单位已撤销", "{unit}在 {as_of} 已不存在：{since} 撤销，现属 {successors}"},
		English: {"Abolished unit", "{unit} is not in force on {as_of}: abolished on {since}; now part of {successors}"},
	},
	RuleRetiredUnit + "/alone": {
		Chinese: {"单位已撤销", "{unit}在 {as_of} 已不存在：{since} 撤销"},
		English: {"Abolished unit", "{unit} is not in force on {as_of}: abolished on {since}"},
	},
	RuleUnknownHost: {
		Chinese: {"未知的承载地", "{cluster}：承载地 {unit} 不属于规划 {plan}"},
		English: {"Unknown host", "{cluster}: host {unit} is not a unit of plan {plan}"},
	},
	RuleUnknownHost + "/unit": {
		Chinese: {"未知的承载地", "承载地 {unit} 不属于规划 {plan}"},
		English: {"Unknown host", "host {unit} is not a unit of plan {plan}"},
	},
	RuleUnknownHost + "/later": {
		Chinese: {"承载地尚未设立", "{unit}在 {as_of} 尚不存在：{since} 设立"},
		English: {"Host not yet created", "{unit} is not in force on {as_of}: it was created on {since}"},
	},
	RuleJointNotAdjacent: {
		Chinese: {"联合承载地互不接壤", "{cluster}：承载地分为互不接壤的 {actual} 组：{parts}"},
		English: {"Joint hosts apart", "{cluster}: its hosts form {actual} groups that do not border each other: {parts}"},
	},
	RuleLevelTarget: {
		Chinese: {"集群数量与目标不符", "{level}集群 {actual} 个，目标为 {limit} 个"},
		English: {"Cluster count off target", "{level}-level clusters: {actual} of the target {limit}"},
	},
	RuleUnknownSector: {
		Chinese: {"未知的产业领域", "{cluster}：产业领域“{industry}”不在规划 {plan} 的领域中"},
		English: {"Unknown sector", `{cluster}: sector "{industry}" is not a sector of {plan}`},
	},
	RuleDuplicateCluster: {
		Chinese: {"重复的集群", "集群 {cluster} 在 {year} 年的{level}名单中出现 {actual} 次"},
		English: {"Repeated cluster", "cluster {cluster} appears {actual} times at the {level} level of {year}"},
	},
}

// words are the labels messages put into sentences, per language.
var words = map[Lang]map[string]string{
	Chinese: {"main": "主导", "special": "特色", "world": "世界级", "national": "国家级", "provincial": "省级",
		"list": "、", "parts": " | ", "part": "（部分）"},
	English: {"main": "main", "special": "special", "world": "world", "national": "national", "provincial": "provincial",
		"list": ", ", "parts": " | ", "part": " (part)"},
}

// Word is a role or level as lang writes it (主导, 特色, 国家级 …).
func Word(lang Lang, key string) string {
	if w, ok := words[lang][key]; ok {
		return w
	}
	return key
}

// Localize returns r with every violation's title and message in lang
// (an unknown lang gives DefaultLang). r itself is not changed.
func (r Report) Localize(lang Lang) Report {
	if _, ok := words[lang]; !ok {
		lang = DefaultLang
	}
	out := r
	out.Lang = lang
	out.Violations = make([]Violation, len(r.Violations))
	for i, v := range r.Violations {
		v.Title, v.Message = render(r.Plan, v, lang)
		out.Violations[i] = v
	}
	return out
}

// templateKey chooses a violation's template among its rule's variants.
func templateKey(v Violation) string {
	switch {
	case v.Actual != nil && len(v.IndustryNames) > 0 && *v.Actual > len(v.IndustryNames):
		return v.Rule + "/rows"
	case (v.Rule == RuleUnknownUnit || v.Rule == RuleUnknownHost) && v.Since != "":
		return v.Rule + "/later"
	case v.Rule == RuleUnknownHost && v.Cluster == "":
		return v.Rule + "/unit"
	case v.Rule == RuleRetiredUnit && len(v.Successors) == 0:
		return v.Rule + "/alone"
	case v.Rule == RuleUnitUnassigned && v.Zone != nil:
		return v.Rule + "/zone"
	}
	return v.Rule
}

// render words one violation from its fields; a rule without a template
// keeps the validator's English wording, titled by its id.
func render(planID string, v Violation, lang Lang) (title, message string) {
	t, ok := messages[templateKey(v)][lang]
	if !ok {
		if v.detail == "" {
			return v.Rule, v.Message
		}
		return v.Rule, v.detail
	}
	names := map[string]string{}
	for i, c := range v.Units {
		if i < len(v.UnitNames) {
			names[c] = v.UnitNames[i]
		}
	}
	list := Word(lang, "list")
	unitLabel := func(code string) string { return UnitLabel(lang, code, names[code]) }
	unit := ""
	if len(v.Units) > 0 {
		unit = unitLabel(v.Units[0])
	}
	industry := v.IndustryName
	if industry == "" {
		industry = v.Industry
	}
	parts := make([]string, len(v.Parts))
	for i, part := range v.Parts {
		ns := make([]string, len(part))
		for k, c := range part {
			if ns[k] = names[c]; ns[k] == "" {
				ns[k] = c
			}
		}
		parts[i] = strings.Join(ns, list)
	}
	succ := make([]string, len(v.Successors))
	for i, l := range v.Successors {
		succ[i] = UnitLabel(lang, l.Code, l.Name)
		if l.Share == Part {
			succ[i] += Word(lang, "part")
		}
	}
	zone := ""
	if v.Zone != nil {
		name := v.Zone.Name
		if lang == English && v.Zone.NameEn != "" {
			name = v.Zone.NameEn
		}
		zone = UnitLabel(lang, v.Zone.Code, name)
	}
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	rep := strings.NewReplacer(
		"{unit}", unit, "{industry}", industry, "{industries}", strings.Join(v.IndustryNames, list),
		"{n}", strconv.Itoa(len(v.IndustryNames)), "{role}", Word(lang, string(v.Role)),
		"{limit}", num(v.Limit), "{actual}", num(v.Actual), "{cluster}", v.Cluster,
		"{level}", Word(lang, string(v.Level)), "{parts}", strings.Join(parts, Word(lang, "parts")),
		"{year}", strconv.Itoa(v.Year), "{as_of}", v.AsOf, "{since}", v.Since, "{successors}", strings.Join(succ, list), "{plan}", planID, "{zone}", zone)
	return t.title, rep.Replace(t.message)
}

// UnitLabel names a unit in lang: 璧山区（500120）, 璧山区 (500120), or
// the bare code when its name is unknown.
func UnitLabel(lang Lang, code, name string) string {
	switch {
	case name == "":
		return code
	case lang == Chinese:
		return name + "（" + code + "）"
	}
	return name + " (" + code + ")"
}
