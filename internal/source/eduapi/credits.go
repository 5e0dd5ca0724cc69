package eduapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// ectsUnits are the words institutions write after a number of ECTS
// credits: ECTS itself, the Dutch EC and studiepunten, the Italian CFU,
// the Swedish hp and the Finnish op (all ECTS by law).
var ectsUnits = []string{"ects", "ec", "sp", "studiepunten", "cfu", "hp", "op", "credits ects", "crédits ects"}

// parseCredits reads a creditsAwarded string: one number, with a decimal
// point or comma, and an optional unit. Without a unit the credits are
// ECTS, the European system QualityLink catalogues; an unknown unit is an
// error rather than a guess.
func parseCredits(s string) (float64, string, error) {
	s = strings.TrimSpace(s)
	start := strings.IndexFunc(s, unicode.IsDigit)
	if start < 0 {
		return 0, "", fmt.Errorf("%q holds no number", s)
	}
	end := start
	for end < len(s) && (unicode.IsDigit(rune(s[end])) || (s[end] == '.' || s[end] == ',') && end+1 < len(s) && unicode.IsDigit(rune(s[end+1]))) {
		end++
	}
	rest := strings.TrimSpace(s[:start] + " " + s[end:])
	if strings.IndexFunc(rest, unicode.IsDigit) >= 0 {
		return 0, "", fmt.Errorf("%q holds more than one number", s)
	}
	value, err := strconv.ParseFloat(strings.Replace(s[start:end], ",", ".", 1), 64)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a number of credits", s)
	}
	unit := strings.Join(strings.FieldsFunc(strings.ToLower(rest), func(r rune) bool { return !unicode.IsLetter(r) }), " ")
	switch {
	case unit == "" || slices.Contains(ectsUnits, unit):
		return value, model.CreditECTS, nil
	case unit == "ecvet" || unit == "ecvet points":
		return value, vocab.CreditSystems.URI("ecvet"), nil
	}
	return 0, "", fmt.Errorf("%q: unit %q is not one qlink knows (ECTS, ECVET)", s, unit)
}
