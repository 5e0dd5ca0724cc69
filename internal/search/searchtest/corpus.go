package searchtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/vocab"
)

// The test corpus, built through search.NewDocument as the harvester will:
//
// uni-a and uni-c are in the lumen alliance, uni-c in aurora too.
//
//	id  institution country languages eqf field type      modes              ects
//	d1  uni-a       DE      de en     6   05    course    presential         5
//	d2  uni-a       DE      de        6   06    course    online blended     6
//	d3  uni-b       FR      fr        7   03    course    presential         4
//	d4  uni-c       NL      nl en     6   05    module    online             3
//	d5  uni-c       NL      en        7   06    programme online             7.5
//	d6  uni-b       FR      en fr     6   05    course    presential online  -
//	d7  uni-d       LV      lv        6   05    course    -                  5
//	d8  uni-e       ES      es        5   06    module    blended            10
var providers = map[string]model.Provider{
	"uni-a": {ID: "uni-a", Country: "DE", Alliances: []string{"lumen"}, Name: model.Text{"de": "Universität Alpha", "en": "University Alpha"}},
	"uni-b": {ID: "uni-b", Country: "FR", Name: model.Text{"fr": "Université Bêta"}},
	"uni-c": {ID: "uni-c", Country: "NL", Alliances: []string{"aurora", "lumen"}, Name: model.Text{"nl": "Universiteit Gamma"}, Acronym: "UG"},
	"uni-d": {ID: "uni-d", Country: "LV", Name: model.Text{"lv": "Delta Universitāte"}},
	"uni-e": {ID: "uni-e", Country: "ES", Name: model.Text{"es": "Universidad Épsilon"}},
}

type course struct {
	id, inst    string
	title, desc model.Text
	outcomes    []model.Text
	langs       []string
	eqf         int
	isced       string
	typ         string
	modes       []string
	ects        float64 // 0: none stated
}

var courses = []course{
	{id: "d1", inst: "uni-a", title: model.Text{"en": "Introduction to Statistics", "de": "Einführung in die Statistik"},
		outcomes: []model.Text{{"en": "Apply statistical tests"}}, langs: []string{"de", "en"}, eqf: 6, isced: "0542",
		typ: "course", modes: []string{"presential"}, ects: 5},
	{id: "d2", inst: "uni-a", title: model.Text{"de": "Einführungen in die Informatik"},
		desc: model.Text{"de": "Algorithmen und Datenstrukturen für Anfänger"}, langs: []string{"de"}, eqf: 6, isced: "0613",
		typ: "course", modes: []string{"online", "blended"}, ects: 6},
	{id: "d3", inst: "uni-b", title: model.Text{"fr": "Économie du développement"},
		desc: model.Text{"fr": "Les fondements de l'économie"}, langs: []string{"fr"}, eqf: 7, isced: "0311",
		typ: "course", modes: []string{"presential"}, ects: 4},
	{id: "d4", inst: "uni-c", title: model.Text{"nl": "Wiskundige modellen"},
		desc: model.Text{"en-GB": "Mathematical modelling"}, langs: []string{"nl", "en"}, eqf: 6, isced: "0541",
		typ: "module", modes: []string{"online"}, ects: 3},
	{id: "d5", inst: "uni-c", title: model.Text{"en": "Data Science"},
		desc: model.Text{"en": "Methods to learn from observations."}, langs: []string{"en"}, eqf: 7, isced: "0613",
		typ: "programme", modes: []string{"online"}, ects: 7.5},
	{id: "d6", inst: "uni-b", title: model.Text{"en": "Marine Biology", "fr": "Biologie marine"},
		outcomes: []model.Text{{"en": "Students analyse data and apply science to ocean ecosystems."}},
		langs:    []string{"en", "fr"}, eqf: 6, isced: "0511", typ: "course", modes: []string{"presential", "online"}},
	{id: "d7", inst: "uni-d", title: model.Text{"": "Kvantu fizikas pamati"},
		desc: model.Text{"lv": "Ievads kvantu mehānikā"}, langs: []string{"lv"}, eqf: 6, isced: "0533", typ: "course", ects: 5},
	{id: "d8", inst: "uni-e", title: model.Text{"es": "Programación de ordenadores"}, langs: []string{"es"}, eqf: 5, isced: "0613",
		typ: "module", modes: []string{"blended"}, ects: 10},
}

func (c course) document() search.Document {
	s := model.Specification{
		ID: c.id, Title: c.title, Description: c.desc, LearningOutcomes: c.outcomes, Languages: c.langs,
		ISCEDF: []string{c.isced}, EQFLevel: c.eqf, Type: vocab.LearningOpportunityTypes.URI(c.typ),
		PublisherID: c.inst,
	}
	if c.ects > 0 {
		s.Credits = []model.Credit{{System: model.CreditECTS, Value: c.ects}}
	}
	for _, m := range c.modes {
		s.Instances = append(s.Instances, model.Instance{Modes: []string{vocab.Modes.URI(m)}})
	}
	return search.NewDocument(s, providers[c.inst])
}

// Corpus returns the small hand-made corpus of the tests, d1…d8.
func Corpus() []search.Document {
	docs := make([]search.Document, len(courses))
	for i, c := range courses {
		docs[i] = c.document()
	}
	return docs
}

// Words are the generated catalogues' vocabulary by language; "" holds
// the words of courses whose language is not stated.
var Words = map[string][]string{
	"en": {"introduction", "advanced", "data", "science", "statistics", "history", "European", "law", "economics", "programming", "biology", "chemistry", "management", "ethics", "design", "networks", "learning", "analysis", "methods", "research"},
	"de": {"Einführung", "Grundlagen", "Datenbanken", "Informatik", "Geschichte", "Rechtswissenschaft", "Volkswirtschaftslehre", "Programmierung", "Biologie", "Chemie", "Prüfungen", "Übungen", "Methoden", "Forschung", "Kommunikation"},
	"fr": {"introduction", "économie", "développement", "histoire", "droit", "société", "systèmes", "réseaux", "méthodes", "recherche", "éthique", "données", "biologie", "chimie", "gestion"},
	"nl": {"inleiding", "wiskunde", "wiskundige", "geschiedenis", "recht", "economie", "programmeren", "biologie", "scheikunde", "bedrijfskunde", "onderzoek", "methoden", "gegevens", "netwerken"},
	"es": {"introducción", "programación", "economía", "historia", "derecho", "biología", "química", "gestión", "investigación", "métodos", "datos", "redes"},
	"it": {"introduzione", "economia", "storia", "diritto", "biologia", "chimica", "gestione", "ricerca", "metodi", "dati", "reti", "università"},
	"pl": {"wstęp", "ekonomia", "historia", "prawo", "biologia", "chemia", "zarządzanie", "badania", "metody", "dane", "sieci", "łączność"},
	"":   {"kvantu", "fizika", "ievads", "mehānikā", "ekonomika", "vēsture", "tiesības", "bioloģija", "ķīmija", "pētniecība"},
}

var genLangs = []string{"en", "de", "fr", "nl", "es", "it", "pl", ""}

// GenDocs generates n documents for paging tests and benchmarks, the same
// for every call: course-like titles and texts in several languages, with
// repeated titles so that ties in the order occur, spread over 200
// institutions in 10 countries.
func GenDocs(n int) []search.Document { return GenCatalogue(n, 200) }

// GenCatalogue generates n documents as GenDocs does, spread over the
// given number of institutions (GenDocs's 200 give the same documents).
func GenCatalogue(n, institutions int) []search.Document {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(vs []string) string { return vs[r.IntN(len(vs))] }
	phrase := func(lang string, k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = pick(Words[lang])
		}
		return strings.Join(ws, " ")
	}
	countries := []string{"DE", "FR", "NL", "ES", "IT", "PL", "LV", "BE", "AT", "PT"}
	fields := []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}
	types := []string{"course", "module", "programme", "mooc"}
	modes := []string{"presential", "online", "blended", "hybrid"}
	docs := make([]search.Document, n)
	for i := range docs {
		inst := r.IntN(institutions)
		d := search.Document{
			ID:          fmt.Sprintf("gen-%05d", i),
			Title:       map[string]string{},
			Description: map[string]string{},
			Outcomes:    map[string]string{},
			Institution: fmt.Sprintf("inst-%03d", inst),
			Country:     countries[inst%len(countries)],
			EQF:         fmt.Sprint(5 + r.IntN(4)),
			Fields:      []string{pick(fields)},
			Type:        pick(types),
			Modes:       []string{pick(modes)},
		}
		for _, lang := range []string{pick(genLangs), pick(genLangs)} {
			d.Title[lang] = phrase(lang, 1+r.IntN(3))
			d.Description[lang] = phrase(lang, 20+r.IntN(40))
			d.Outcomes[lang] = phrase(lang, 10+r.IntN(30))
			if lang != "" {
				d.Languages = append(d.Languages, lang)
			}
		}
		d.Extra = fmt.Sprintf("University %s\nCODE-%d", d.Institution, i)
		if r.IntN(5) > 0 {
			e := float64(1 + r.IntN(30))
			d.ECTS = &e
		}
		docs[i] = d
	}
	return docs
}
