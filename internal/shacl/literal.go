package shacl

import (
	"encoding/base64"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"qlink/internal/rdf"
)

const xsd = rdf.XSDNS

// integerRange bounds an integer-derived XSD type; a nil bound is open.
type integerRange struct{ min, max *big.Int }

func bound(s string) *big.Int {
	n, _ := new(big.Int).SetString(s, 10)
	return n
}

var integerTypes = map[string]integerRange{
	xsd + "integer":            {},
	xsd + "nonNegativeInteger": {min: bound("0")},
	xsd + "positiveInteger":    {min: bound("1")},
	xsd + "nonPositiveInteger": {max: bound("0")},
	xsd + "negativeInteger":    {max: bound("-1")},
	xsd + "long":               {bound("-9223372036854775808"), bound("9223372036854775807")},
	xsd + "int":                {bound("-2147483648"), bound("2147483647")},
	xsd + "short":              {bound("-32768"), bound("32767")},
	xsd + "byte":               {bound("-128"), bound("127")},
	xsd + "unsignedLong":       {bound("0"), bound("18446744073709551615")},
	xsd + "unsignedInt":        {bound("0"), bound("4294967295")},
	xsd + "unsignedShort":      {bound("0"), bound("65535")},
	xsd + "unsignedByte":       {bound("0"), bound("255")},
}

// Lexical spaces from XML Schema 1.1 Part 2, written for RE2 (no
// look-ahead), anchored. Day-of-month limits are checked separately.
const (
	reYear  = `-?([1-9][0-9]{3,}|0[0-9]{3})`
	reMonth = `(0[1-9]|1[0-2])`
	reDay   = `(0[1-9]|[12][0-9]|3[01])`
	reTime  = `(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)`
	reTZ    = `(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))`
)

var lexicalPatterns = map[string]*regexp.Regexp{
	xsd + "decimal":       regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`),
	xsd + "double":        regexp.MustCompile(`^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)$`),
	xsd + "float":         regexp.MustCompile(`^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)$`),
	xsd + "date":          regexp.MustCompile(`^` + reYear + `-` + reMonth + `-` + reDay + reTZ + `?$`),
	xsd + "dateTime":      regexp.MustCompile(`^` + reYear + `-` + reMonth + `-` + reDay + `T` + reTime + reTZ + `?$`),
	xsd + "dateTimeStamp": regexp.MustCompile(`^` + reYear + `-` + reMonth + `-` + reDay + `T` + reTime + reTZ + `$`),
	xsd + "time":          regexp.MustCompile(`^` + reTime + reTZ + `?$`),
	xsd + "gYear":         regexp.MustCompile(`^` + reYear + reTZ + `?$`),
	xsd + "gYearMonth":    regexp.MustCompile(`^` + reYear + `-` + reMonth + reTZ + `?$`),
	xsd + "gMonth":        regexp.MustCompile(`^--` + reMonth + reTZ + `?$`),
	xsd + "gDay":          regexp.MustCompile(`^---` + reDay + reTZ + `?$`),
	xsd + "gMonthDay":     regexp.MustCompile(`^--` + reMonth + `-` + reDay + reTZ + `?$`),
	xsd + "duration":      regexp.MustCompile(`^-?P([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$`),
	xsd + "hexBinary":     regexp.MustCompile(`^([0-9a-fA-F]{2})*$`),
	xsd + "language":      regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`),
}

// wellFormed reports whether a literal's lexical form is in the lexical
// space of its datatype. Datatypes the engine does not know are accepted
// as they are: SHACL only asks for ill-formed literals of known types.
func wellFormed(t rdf.Term) bool {
	dt := t.Datatype
	switch dt {
	case rdf.XSDString:
		return t.Lang == ""
	case rdf.RDFLangStr:
		return t.Lang != ""
	case rdf.XSDBoolean:
		switch t.Value {
		case "true", "false", "1", "0":
			return true
		}
		return false
	case xsd + "anyURI":
		return wellFormedURI(t.Value)
	case xsd + "base64Binary":
		_, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(t.Value), ""))
		return err == nil
	}
	if r, ok := integerTypes[dt]; ok {
		return inIntegerRange(t.Value, r)
	}
	re, ok := lexicalPatterns[dt]
	if !ok {
		return true
	}
	if !re.MatchString(t.Value) {
		return false
	}
	switch dt {
	case xsd + "date", xsd + "dateTime", xsd + "dateTimeStamp", xsd + "gMonthDay":
		return validDay(t.Value)
	case xsd + "duration":
		v := strings.TrimPrefix(t.Value, "-")
		return v != "P" && !strings.HasSuffix(v, "T")
	}
	return true
}

// inIntegerRange parses an xsd:integer lexical form and checks the bounds
// of the derived type; the fast path avoids big.Int for ordinary numbers.
func inIntegerRange(lex string, r integerRange) bool {
	digits := strings.TrimLeft(lex, "+-")
	if len(lex)-len(digits) > 1 || digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	if r.min == nil && r.max == nil {
		return true
	}
	if n, err := strconv.ParseInt(lex, 10, 64); err == nil && r.min != nil && r.max != nil &&
		r.min.IsInt64() && r.max.IsInt64() {
		return n >= r.min.Int64() && n <= r.max.Int64()
	}
	n, ok := new(big.Int).SetString(strings.TrimPrefix(lex, "+"), 10)
	if !ok {
		return false
	}
	return (r.min == nil || n.Cmp(r.min) >= 0) && (r.max == nil || n.Cmp(r.max) <= 0)
}

// validDay rejects dates such as 2023-02-30 that the pattern lets through.
func validDay(lex string) bool {
	neg := strings.HasPrefix(lex, "-") && !strings.HasPrefix(lex, "--")
	s := strings.TrimPrefix(lex, "-")
	year := 2000 // a leap year, so --02-29 is allowed in gMonthDay
	if !strings.HasPrefix(lex, "--") {
		i := strings.IndexByte(s, '-')
		y, err := strconv.Atoi(s[:i])
		if err != nil {
			return false
		}
		if neg {
			y = -y
		}
		year, s = y, s[i+1:]
	} else {
		s = s[1:]
	}
	month, _ := strconv.Atoi(s[0:2])
	day, _ := strconv.Atoi(s[3:5])
	return day <= daysIn(year, month)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// wellFormedURI refuses what cannot appear in an IRI even after the
// escaping XSD allows: control characters, spaces and the IRI delimiters.
func wellFormedURI(s string) bool {
	for _, c := range s {
		if c <= ' ' || c == 0x7f || strings.ContainsRune(`<>"{}|\^`+"`", c) {
			return false
		}
	}
	return true
}

// valueClass groups datatypes whose values can be ordered against each
// other, following the SPARQL operator mapping SHACL refers to.
type valueClass uint8

const (
	classNone valueClass = iota
	classNumeric
	classString
	classBoolean
	classDateTime
	classDate
	classTime
)

func classOf(t rdf.Term) valueClass {
	if !t.IsLiteral() {
		return classNone
	}
	switch t.Datatype {
	case xsd + "decimal", xsd + "double", xsd + "float":
		return classNumeric
	case rdf.XSDString:
		return classString
	case rdf.XSDBoolean:
		return classBoolean
	case xsd + "dateTime", xsd + "dateTimeStamp":
		return classDateTime
	case xsd + "date":
		return classDate
	case xsd + "time":
		return classTime
	}
	if _, ok := integerTypes[t.Datatype]; ok {
		return classNumeric
	}
	return classNone
}

// compareValues orders two literals; ok is false when they are not
// comparable (different kinds of value, ill-formed, NaN, or a timezone on
// only one side).
func compareValues(a, b rdf.Term) (cmp int, ok bool) {
	ca, cb := classOf(a), classOf(b)
	if ca == classNone || ca != cb || !wellFormed(a) || !wellFormed(b) {
		return 0, false
	}
	switch ca {
	case classNumeric:
		return compareNumbers(a, b)
	case classString:
		return strings.Compare(a.Value, b.Value), true
	case classBoolean:
		return boolValue(a) - boolValue(b), true
	default:
		return compareTimes(a.Value, b.Value, ca)
	}
}

func boolValue(t rdf.Term) int {
	if t.Value == "true" || t.Value == "1" {
		return 1
	}
	return 0
}

func isFloating(t rdf.Term) bool {
	return t.Datatype == xsd+"double" || t.Datatype == xsd+"float"
}

func compareNumbers(a, b rdf.Term) (int, bool) {
	if x, err1 := strconv.ParseInt(a.Value, 10, 64); err1 == nil {
		if y, err2 := strconv.ParseInt(b.Value, 10, 64); err2 == nil {
			return cmpOrdered(x, y), true
		}
	}
	if isFloating(a) || isFloating(b) {
		x, y := parseFloat(a.Value), parseFloat(b.Value)
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmpOrdered(x, y), true
	}
	x, ok1 := new(big.Rat).SetString(a.Value)
	y, ok2 := new(big.Rat).SetString(b.Value)
	if !ok1 || !ok2 {
		return 0, false
	}
	return x.Cmp(y), true
}

func parseFloat(lex string) float64 {
	switch lex {
	case "INF", "+INF":
		return math.Inf(1)
	case "-INF":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(lex, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return math.NaN()
	}
	return f
}

func cmpOrdered[T int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareTimes orders dates, times and date-times. A value without a
// timezone is only comparable with another without one (XSD leaves the
// mixed case indeterminate near the boundaries; SHACL treats that as not
// comparable).
func compareTimes(a, b string, class valueClass) (int, bool) {
	ta, za, ok1 := parseTime(a, class)
	tb, zb, ok2 := parseTime(b, class)
	if !ok1 || !ok2 || za != zb {
		return 0, false
	}
	return ta.Compare(tb), true
}

func parseTime(lex string, class valueClass) (time.Time, bool, bool) {
	zoned := strings.HasSuffix(lex, "Z") || zoneSuffix(lex)
	layout := map[valueClass]string{classDateTime: "2006-01-02T15:04:05.999999999", classDate: "2006-01-02", classTime: "15:04:05.999999999"}[class]
	if zoned {
		layout += "Z07:00"
	}
	t, err := time.Parse(layout, strings.Replace(lex, "T24:00:00", "T23:59:59", 1))
	return t, zoned, err == nil
}

// zoneSuffix reports a trailing ±hh:mm offset (a date's own '-' separators
// sit further left).
func zoneSuffix(lex string) bool {
	n := len(lex)
	return n >= 6 && (lex[n-6] == '+' || lex[n-6] == '-') && lex[n-3] == ':'
}
