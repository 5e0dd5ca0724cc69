package vocab

// LearningOpportunityTypes is the EU learning-opportunity type vocabulary.
var LearningOpportunityTypes = newScheme("learning-opportunity-type",
	"http://data.europa.eu/snb/learning-opportunity/", []Concept{
		{Code: "05053c1cbe", Slug: "course", Labels: map[string]string{"en": "Course", "de": "Kurs", "fr": "Cours", "nl": "Cursus", "es": "Curso", "it": "Corso", "pl": "Kurs"}},
		{Code: "79343569f3", Slug: "programme", Labels: map[string]string{"en": "Educational programme", "de": "Studiengang", "fr": "Programme d'études", "nl": "Opleiding", "es": "Programa educativo", "it": "Corso di studio", "pl": "Program kształcenia"}},
		{Code: "74a4a268e8", Slug: "short-programme", Labels: map[string]string{"en": "Short learning programme", "de": "Kurzes Lernprogramm", "fr": "Programme d’apprentissage court"}},
		{Code: "0f7dac46ca", Slug: "module", Labels: map[string]string{"en": "Programme module", "de": "Modul", "fr": "Module", "nl": "Module", "es": "Módulo", "it": "Modulo", "pl": "Moduł"}},
		{Code: "7e1ac538db", Slug: "class", Labels: map[string]string{"en": "Class", "de": "Lehrveranstaltung", "fr": "Classe"}},
		{Code: "17744a2647", Slug: "mooc", Labels: map[string]string{"en": "MOOC", "de": "MOOC", "fr": "MOOC"}},
		{Code: "77b99de990", Slug: "internship", Labels: map[string]string{"en": "Internship", "de": "Praktikum", "fr": "Stage"}},
		{Code: "b2434ca358", Slug: "thesis", Labels: map[string]string{"en": "Thesis", "de": "Abschlussarbeit", "fr": "Mémoire"}},
		{Code: "63f9f6180c", Slug: "apprenticeship", Labels: map[string]string{"en": "Apprenticeship", "de": "Lehre", "fr": "Apprentissage"}},
		{Code: "65a4cf5de2", Slug: "study-visit", Labels: map[string]string{"en": "Study visit", "de": "Studienbesuch", "fr": "Visite d’étude"}},
		{Code: "8b965da2d4", Slug: "service-learning", Labels: map[string]string{"en": "Service learning", "de": "Service-Learning", "fr": "Apprentissage par le service"}},
		{Code: "11252a5207", Slug: "mentoring", Labels: map[string]string{"en": "Mentoring", "de": "Mentoring", "fr": "Mentorat"}},
		{Code: "c_170b037d", Slug: "challenge", Labels: map[string]string{"en": "Challenge", "de": "Challenge", "fr": "Défi"}},
	})

// Modes is the EU vocabulary of modes of learning and assessment.
var Modes = newScheme("learning-assessment",
	"http://data.europa.eu/snb/learning-assessment/", []Concept{
		{Code: "9191af2ed9", Slug: "presential", Labels: map[string]string{"en": "Presential", "de": "Präsenz", "fr": "Présentiel", "nl": "Op locatie", "es": "Presencial", "it": "In presenza", "pl": "Stacjonarnie"}},
		{Code: "920fbb3cbe", Slug: "online", Labels: map[string]string{"en": "Online", "de": "Online", "fr": "En ligne", "nl": "Online", "es": "En línea", "it": "Online", "pl": "Online"}},
		{Code: "e92d221e4d", Slug: "blended", Labels: map[string]string{"en": "Blended", "de": "Blended Learning", "fr": "Hybride (mixte)", "nl": "Blended", "es": "Semipresencial", "it": "Misto", "pl": "Mieszany"}},
		{Code: "c_3a90b26d", Slug: "hybrid", Labels: map[string]string{"en": "Hybrid", "de": "Hybrid", "fr": "Hybride", "nl": "Hybride", "es": "Híbrido", "it": "Ibrido", "pl": "Hybrydowo"}},
		{Code: "7813801c77", Slug: "project-based", Labels: map[string]string{"en": "Project based", "de": "Projektbasiert", "fr": "Par projet"}},
		{Code: "ed4c557045", Slug: "research-lab", Labels: map[string]string{"en": "Research-Lab based", "de": "Im Forschungslabor", "fr": "En laboratoire de recherche"}},
		{Code: "729f3bed4b", Slug: "work-based", Labels: map[string]string{"en": "Workbased", "de": "Am Arbeitsplatz", "fr": "En milieu professionnel"}},
	})

// LearningSchedules is the EU learning-schedule vocabulary.
var LearningSchedules = newScheme("learning-schedule",
	"http://data.europa.eu/snb/learning-schedule/", []Concept{
		{Code: "72a0ab92fa", Slug: "full-time", Labels: map[string]string{"en": "Full time", "de": "Vollzeit", "fr": "Temps plein"}},
		{Code: "f230bae523", Slug: "part-time-intensive", Labels: map[string]string{"en": "Part time intensive", "de": "Teilzeit intensiv", "fr": "Temps partiel intensif"}},
		{Code: "67395e6b5a", Slug: "part-time-light", Labels: map[string]string{"en": "Part time light", "de": "Teilzeit leicht", "fr": "Temps partiel léger"}},
	})

// CreditSystems is the EU education-credit vocabulary.
var CreditSystems = newScheme("education-credit",
	"http://data.europa.eu/snb/education-credit/", []Concept{
		{Code: "6fcec5c5af", Slug: "ects", Labels: en("European Credit Transfer and Accumulation System (ECTS)")},
		{Code: "60b314e826", Slug: "ecvet", Labels: en("European Credit system for Vocational Education and Training (ECVET)")},
	})

// EQF is the European Qualifications Framework level vocabulary.
var EQF = newScheme("eqf", "http://data.europa.eu/snb/eqf/", eqfLevels())

func eqfLevels() []Concept {
	levels := make([]Concept, 8)
	for i := range levels {
		n := string(rune('1' + i))
		levels[i] = Concept{Code: n, Labels: map[string]string{
			"en": "EQF level " + n, "de": "EQR-Niveau " + n, "fr": "Niveau CEC " + n,
			"nl": "EQF-niveau " + n, "es": "Nivel MEC " + n, "it": "Livello EQF " + n, "pl": "Poziom ERK " + n,
		}}
	}
	return levels
}
