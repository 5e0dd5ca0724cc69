package quality

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"qlink/internal/model"
)

// CheckOwnership reports the specifications in specs, published through a
// source of provider, that claim another institution: a publisher, or a
// providing institution of an offering, that is neither provider nor one
// of allowed (the provider IDs the operator let this provider publish
// for). An empty publisher is the provider itself, as the profile says.
func CheckOwnership(specs []model.Specification, provider model.Provider, allowed []string) []CourseReport {
	mine := func(id string) bool { return id == "" || id == provider.ID || slices.Contains(allowed, id) }
	r := rules[RuleOwner]
	var out []CourseReport
	for _, s := range specs {
		var vs []Violation
		if !mine(s.PublisherID) {
			vs = append(vs, ruleViolation(r, "", s.ID, s.PublisherID,
				fmt.Sprintf("published by %s, which is not %s", s.PublisherID, provider.ID)))
		}
		for _, in := range s.Instances {
			for _, p := range in.ProviderIDs {
				if !mine(p) {
					v := ruleViolation(r, "", in.ID, p, fmt.Sprintf("offering provided by %s, which is not %s", p, provider.ID))
					v.Property = "elm:providedBy"
					vs = append(vs, v)
				}
			}
		}
		if len(vs) > 0 {
			out = append(out, CourseReport{Record: s.ID, Kind: KindCourse, Violations: vs})
		}
	}
	return out
}

// CheckUniqueIdentifiers reports specifications of one provider that
// share a record ID or an identifier (scheme and code) with an earlier
// one in specs. The first keeps its identifier; each later one is
// reported, naming the first.
func CheckUniqueIdentifiers(specs []model.Specification) []CourseReport {
	r := rules[RuleUniqueID]
	first := map[string]string{} // publisher, scheme, value → record
	var out []CourseReport
	for _, s := range specs {
		own := map[string]bool{} // a record naming one code twice is no clash
		var vs []Violation
		check := func(key, shown string) {
			key = s.PublisherID + "\x00" + key
			if own[key] {
				return
			}
			own[key] = true
			if prev, taken := first[key]; taken {
				vs = append(vs, ruleViolation(r, "", s.ID, shown, "also used by "+prev))
				return
			}
			first[key] = s.ID
		}
		check("id\x00"+s.ID, s.ID)
		for _, id := range s.Identifiers {
			v := strings.TrimSpace(id.Value)
			check("identifier\x00"+id.Scheme+"\x00"+v, v)
		}
		if len(vs) > 0 {
			out = append(out, CourseReport{Record: s.ID, Kind: KindCourse, Violations: vs})
		}
	}
	return out
}

// Merge joins reports of the same records (SHACL and policy checks, say):
// one report per record, violations in the order given, sorted by record.
func Merge(lists ...[]CourseReport) []CourseReport {
	byRecord := map[string]int{}
	var out []CourseReport
	for _, list := range lists {
		for _, c := range list {
			i, ok := byRecord[c.Record]
			if !ok {
				byRecord[c.Record] = len(out)
				c.Violations = slices.Clone(c.Violations)
				out = append(out, c)
				continue
			}
			out[i].Violations = append(out[i].Violations, c.Violations...)
			if out[i].Completeness == nil {
				out[i].Completeness = c.Completeness
			}
		}
	}
	slices.SortFunc(out, func(a, b CourseReport) int { return cmp.Compare(a.Record, b.Record) })
	return out
}

// CheckRecords is the whole check of a source's converted records, as the
// harvest runs it: each record through its ELM form (CheckSpecs), then the
// set for ownership (publishFor: the providers the operator allowed
// provider to publish for) and unique identifiers, merged per record.
func CheckRecords(specs []model.Specification, provider model.Provider, publishFor []string) []CourseReport {
	return Merge(CheckSpecs(specs, provider), CheckOwnership(specs, provider, publishFor), CheckUniqueIdentifiers(specs))
}
