package rdf

import (
	"strings"

	"golang.org/x/text/language"
)

// CanonicalLang returns a language tag in BCP 47 canonical case
// ("en-GB", "sr-Latn-RS", "de-CH-1996"). Parsers keep tags as written and
// json-gold lower-cases them, so the model layer calls this before
// comparing or storing tags. A tag that does not parse is lower-cased, which
// still makes comparisons consistent.
func CanonicalLang(tag string) string {
	if tag == "" {
		return ""
	}
	t, err := language.Raw.Parse(tag)
	if err != nil {
		return strings.ToLower(tag)
	}
	return t.String()
}
