package occapi

import (
	"fmt"
	"slices"
	"strings"

	"qlink/internal/jsonread"
	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/vocab"
)

// mapSpec maps a course or programme (without instances).
func (r *run) mapSpec(d *decodedSpec, programme bool) model.Specification {
	a := &d.res.Attributes
	warn := func(field, msg string) { r.Warn(d.id, field, msg) }
	s := model.Specification{
		ID:                d.id,
		Identifiers:       identifiers(d.res.ID, a.Code),
		Title:             r.textOf(a.Title),
		Description:       r.textOf(a.Description),
		EntryRequirements: r.textOf(a.Prerequisites),
		LearningOutcomes:  outcomes(&r.langs, a.LearningOutcomes, func(msg string) { warn("learningOutcomes", msg) }),
		PublisherID:       r.publisher,
		Active:            !a.Deprecated,
	}
	if s.Title.IsEmpty() {
		warn("title", "no title in any language")
	}
	s.Type = typeOf(a.LearningOpportunity, programme, warn)
	s.Languages = languages(&r.langs, a.LanguageOfInstruction, warn)
	s.ISCEDF = iscedCodes(a.ISCEDCode, warn)
	s.EQFLevel = eqfLevel(d, programme, warn)
	s.Credits = ectsCredits(a.ECTS, warn)
	s.Schedule = schedule(a.LearningSchedule, warn)
	s.Homepage = homepage(a.URL, warn)
	var err error
	if s.Modified, err = jsonread.ParseTime(a.LastModified); err != nil {
		warn("lastModified", err.Error())
	}
	if until, err := jsonread.ParseTime(a.ValidUntil); err != nil {
		warn("validUntil", err.Error())
	} else if !until.IsZero() && until.Before(r.cfg.Now) {
		s.Active = false
	}
	s.PartOf = r.partOf(d, warn)
	if !programme {
		d.modes = modes(a.ModeOfLearning, warn)
	}
	return s
}

// ectsCredits maps an ects attribute.
func ectsCredits(ects jsonread.Number, warn func(field, msg string)) []model.Credit {
	switch {
	case ects.Invalid != "":
		warn("ects", fmt.Sprintf("%s is not a number of credits", ects.Invalid))
	case ects.Set && ects.Value < 0:
		warn("ects", fmt.Sprintf("%v is not a number of credits", ects.Value))
	case ects.Set:
		return []model.Credit{{System: model.CreditECTS, Value: ects.Value}}
	}
	return nil
}

// schedule maps elmLearningScheduleType to its concept IRI.
func schedule(code string, warn func(field, msg string)) string {
	if code == "" {
		return ""
	}
	c, ok := vocab.LearningSchedules.Lookup(code)
	if !ok {
		warn("elmLearningScheduleType", fmt.Sprintf("%q is not a learning schedule type (72a0ab92fa, f230bae523, 67395e6b5a)", code))
	}
	return c.URI
}

func identifiers(id, code string) []model.Identifier {
	ids := make([]model.Identifier, 0, 2)
	if id != "" {
		ids = append(ids, model.Identifier{Scheme: "occapi:id", Value: id})
	}
	if code != "" {
		ids = append(ids, model.Identifier{Scheme: "occapi:code", Value: code})
	}
	return ids
}

func (r *run) textOf(ts []text) model.Text {
	t := make(model.Text, len(ts))
	for _, x := range ts {
		r.langs.Set(t, x.Lang, x.value())
	}
	return t
}

// typeOf returns the first learning-opportunity type the record names, or
// course or programme when it names none.
func typeOf(codes []string, programme bool, warn func(field, msg string)) string {
	for _, code := range codes {
		if c, ok := vocab.LearningOpportunityTypes.Lookup(code); ok {
			return c.URI
		}
		warn("elmLearningOpportunityType", fmt.Sprintf("%q is not a learning opportunity type", code))
	}
	if programme {
		return vocab.LearningOpportunityTypes.URI("programme")
	}
	return vocab.LearningOpportunityTypes.URI("course")
}

// languages returns the distinct primary languages of BCP 47 tags.
func languages(langs *source.Langs, tags []string, warn func(field, msg string)) []string {
	out := make([]string, 0, len(tags))
	for _, tag := range tags {
		norm, ok := langs.Normalize(tag)
		if !ok {
			warn("languageOfInstruction", fmt.Sprintf("%q is not a BCP 47 language tag", tag))
			continue
		}
		if p := model.PrimaryLang(norm); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func iscedCodes(codes []string, warn func(field, msg string)) []string {
	var out []string
	for _, code := range codes {
		_, known := vocab.ISCEDF.Lookup(code)
		switch {
		case !known || len(code) < 2 || len(code) > 4:
			warn("iscedCode", fmt.Sprintf("%q is not an ISCED-F 2013 code", code))
		case !slices.Contains(out, code):
			out = append(out, code)
		}
	}
	return out
}

// eqfLevel reads a programme's eqfLevelProvided, or the EQF level v1 gave
// courses in meta.global; v2 courses have none.
func eqfLevel(d *decodedSpec, programme bool, warn func(field, msg string)) int {
	n, field := d.res.Attributes.EQFLevelProvided, "eqfLevelProvided"
	if !programme && n == nil {
		n, field = d.res.Meta.Global.EQFLevel, "meta.global.eqfLevel"
	}
	if n == nil {
		return 0
	}
	if level := int(*n); float64(level) == *n && level >= 1 && level <= 8 {
		return level
	}
	warn(field, fmt.Sprintf("%v is not an EQF level 1–8", *n))
	return 0
}

// homepage returns the first usable URL.
func homepage(urls []text, warn func(field, msg string)) string {
	for _, u := range urls {
		href, err := jsonread.HTTPURL(u.value())
		if err != nil {
			warn("url", err.Error())
			continue
		}
		if href != "" {
			return href
		}
	}
	return ""
}

// partOf resolves the programmes a course belongs to, named in
// relationships.relatedProgramme, meta.relatedProgramme or (v1)
// meta.programme.
func (r *run) partOf(d *decodedSpec, warn func(field, msg string)) []string {
	var ids []string
	for _, ref := range d.res.Relationships.RelatedProgramme.Data {
		ids = append(ids, ref.ID)
	}
	for _, p := range slices.Concat(d.res.Meta.RelatedProgramme, d.res.Meta.Programme) {
		ids = append(ids, p.ProgrammeID)
	}
	var out []string
	for _, id := range ids {
		pid, ok := r.programmes[id]
		switch {
		case id == "":
		case !ok:
			// relationships and meta usually repeat each other: once.
			r.Once("part:"+d.id+"\x00"+id, d.id, "relatedProgramme", fmt.Sprintf("programme %q is not among the source's programmes", id))
		case pid != d.id && !slices.Contains(out, pid):
			out = append(out, pid)
		}
	}
	return out
}

// modes returns the mode concept IRIs of elmModeOfLearning codes.
func modes(codes []string, warn func(field, msg string)) []string {
	if len(codes) == 0 {
		return nil
	}
	out := make([]string, 0, len(codes))
	for _, code := range codes {
		c, ok := vocab.Modes.Lookup(code)
		if !ok {
			warn("elmModeOfLearning", fmt.Sprintf("%q is not a mode of learning and assessment", code))
			continue
		}
		if !slices.Contains(out, c.URI) {
			out = append(out, c.URI)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// outcomes turns learningOutcomes, one text block per language, into
// model outcomes. When every block is clearly a list (each line a bullet
// or numbered item, or HTML list items) and all blocks list the same
// number of items, each item is an outcome, in every language at the same
// position. Otherwise the blocks are translations of one text, which
// becomes one outcome in every language given: splitting prose, or pairing
// lists of different lengths, would put translations of different
// outcomes together.
func outcomes(langs *source.Langs, blocks []text, warn func(msg string)) []model.Text {
	type block struct {
		tag, text string
		items     []string
	}
	bs := make([]block, 0, len(blocks))
	split := true
	for _, b := range blocks {
		v := strings.TrimSpace(b.value())
		if v == "" {
			continue
		}
		norm := langs.Key(b.Lang)
		if slices.ContainsFunc(bs, func(x block) bool { return x.tag == norm }) {
			warn(fmt.Sprintf("a second block in language %q; the first is kept", norm))
			continue
		}
		items := listItems(v)
		split = split && len(items) >= 2 && (len(bs) == 0 || len(items) == len(bs[0].items))
		bs = append(bs, block{norm, v, items})
	}
	if len(bs) == 0 {
		return nil
	}
	if split {
		out := make([]model.Text, len(bs[0].items))
		for i := range out {
			out[i] = make(model.Text, len(bs))
			for _, b := range bs {
				out[i][b.tag] = b.items[i]
			}
		}
		return out
	}
	whole := make(model.Text, len(bs))
	for _, b := range bs {
		whole[b.tag] = b.text
	}
	return []model.Text{whole}
}

// listItems returns the items of a block that is clearly a list, or nil.
func listItems(block string) []string {
	if strings.Contains(block, "<li") {
		return htmlItems(block)
	}
	var items []string
	for line := range strings.Lines(block) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		item, ok := cutMarker(strings.TrimSpace(line))
		switch {
		case ok:
			items = append(items, item)
		case len(items) > 0 && (line[0] == ' ' || line[0] == '\t'):
			// An indented line continues the item above.
			items[len(items)-1] += " " + strings.TrimSpace(line)
		default:
			return nil
		}
	}
	return items
}

// cutMarker strips a bullet ("-", "*", "•", "–", "·") or a number ("1.",
// "2)") from the start of line.
func cutMarker(line string) (string, bool) {
	for _, b := range []string{"- ", "* ", "• ", "– ", "— ", "· ", "▪ ", "◦ "} {
		if rest, ok := strings.CutPrefix(line, b); ok {
			return strings.TrimSpace(rest), true
		}
	}
	digits := 0
	for digits < len(line) && digits < 3 && line[digits] >= '0' && line[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits+1 < len(line) && (line[digits] == '.' || line[digits] == ')') && line[digits+1] == ' ' {
		return strings.TrimSpace(line[digits+2:]), true
	}
	return "", false
}

// htmlItems returns the contents of the <li> elements of a block made of
// one HTML list, or nil when there is text outside the list.
func htmlItems(block string) []string {
	var items []string
	rest := block
	for {
		start := strings.Index(rest, "<li")
		if start < 0 {
			break
		}
		open := strings.IndexByte(rest[start:], '>')
		if open < 0 {
			return nil
		}
		body := rest[start+open+1:]
		end := strings.Index(body, "</li>")
		if end < 0 {
			return nil
		}
		if item := strings.TrimSpace(body[:end]); item != "" {
			items = append(items, item)
		}
		rest = body[end+len("</li>"):]
	}
	outside := block
	for _, tag := range []string{"<ul>", "</ul>", "<ol>", "</ol>"} {
		outside = strings.ReplaceAll(outside, tag, "")
	}
	for _, it := range items {
		outside = strings.Replace(outside, it, "", 1)
	}
	if strings.TrimSpace(stripLi(outside)) != "" {
		return nil
	}
	return items
}

func stripLi(s string) string {
	for {
		start := strings.Index(s, "<li")
		if start < 0 {
			return strings.ReplaceAll(s, "</li>", "")
		}
		end := strings.IndexByte(s[start:], '>')
		if end < 0 {
			return s
		}
		s = s[:start] + s[start+end+1:]
	}
}
