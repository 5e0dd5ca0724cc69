package model

import (
	"regexp"
	"strconv"
	"strings"
)

// xsdDuration is the lexical form of xsd:duration with at least one
// component; fractions only on seconds, as XML Schema allows.
var xsdDuration = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// Duration checks and normalises an xsd:duration ("pt150h" → "PT150H").
// It reports false for anything else, including "P" and "PT" alone and
// negative durations (a workload cannot be negative).
func Duration(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "P" || strings.HasSuffix(s, "T") || !xsdDuration.MatchString(s) {
		return "", false
	}
	return s, true
}

// HoursDuration writes a number of hours as an xsd:duration: "PT42H",
// "PT7H30M" for 7.5. Sources that count hours (OCCAPI engagementHours,
// OOAPI studyLoad in hours) use it.
func HoursDuration(hours float64) (string, bool) {
	if hours < 0 || hours != hours || hours > 1e7 {
		return "", false
	}
	minutes := int64(hours*60 + 0.5)
	h, m := minutes/60, minutes%60
	out := "PT" + strconv.FormatInt(h, 10) + "H"
	if m > 0 {
		out += strconv.FormatInt(m, 10) + "M"
	}
	return out, true
}

// DurationParts returns the components of a normalised xsd:duration in
// order (years, months, weeks, days, hours, minutes, seconds), "" where
// absent, for presenting it.
func DurationParts(d string) ([7]string, bool) {
	var parts [7]string
	m := xsdDuration.FindStringSubmatch(d)
	if m == nil {
		return parts, false
	}
	copy(parts[:], m[1:])
	return parts, true
}
