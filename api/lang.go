package api

import (
	"sort"
	"strconv"
	"strings"

	"github.com/indmap/indmap/plan"
	"github.com/labstack/echo/v4"
)

// answerLang chooses the language of an answer's words (report titles
// and messages, workbook labels): ?lang= (zh or en; 400 for another), or
// the best of Accept-Language by q-value, or Chinese, the planners'
// language. The answer says so in Content-Language, and varies with
// Accept-Language.
func answerLang(c echo.Context) (plan.Lang, error) {
	hdr := c.Response().Header()
	lang := plan.DefaultLang
	if s := c.QueryParam("lang"); s != "" {
		l, ok := plan.ParseLang(s)
		if !ok {
			return "", badParam("lang", "want zh or en, got %q", s)
		}
		lang = l
	} else {
		hdr.Add(echo.HeaderVary, "Accept-Language")
		lang = acceptLanguage(c.Request().Header.Get("Accept-Language"))
	}
	hdr.Set("Content-Language", string(lang))
	return lang, nil
}

// acceptLanguage picks the supported language a client ranks highest in
// an Accept-Language header (RFC 9110 §12.5.4): by q-value, then by
// order; "*" stands for the default; none supported gives the default.
func acceptLanguage(header string) plan.Lang {
	type choice struct {
		lang plan.Lang
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		lang, ok := plan.ParseLang(tag)
		if strings.TrimSpace(tag) == "*" {
			lang, ok = plan.DefaultLang, true
		}
		if ok && q > 0 {
			choices = append(choices, choice{lang, q})
		}
	}
	if len(choices) == 0 {
		return plan.DefaultLang
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang
}

// localized words a report in the answer's language.
func localized(c echo.Context, r plan.Report) (plan.Report, error) {
	lang, err := answerLang(c)
	if err != nil {
		return r, err
	}
	return r.Localize(lang), nil
}
