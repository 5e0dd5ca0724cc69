package vocab

import (
	"unicode"
	"unicode/utf8"
)

// ISCEDF is the ISCED-F 2013 fields-of-education vocabulary: broad (2
// digits), narrow (3) and detailed (4) fields. Codes ending in 8
// (inter-disciplinary) and 0 (not further defined) are derived from their
// parent, as the classification defines them.
var ISCEDF = newScheme("isced-f", "http://data.europa.eu/snb/isced-f/", iscedConcepts())

var iscedLabels = []struct{ code, label string }{
	{"00", "Generic programmes and qualifications"},
	{"001", "Basic programmes and qualifications"}, {"0011", "Basic programmes and qualifications"},
	{"002", "Literacy and numeracy"}, {"0021", "Literacy and numeracy"},
	{"003", "Personal skills and development"}, {"0031", "Personal skills and development"},
	{"01", "Education"},
	{"011", "Education"}, {"0111", "Education science"}, {"0112", "Training for pre-school teachers"},
	{"0113", "Teacher training without subject specialisation"}, {"0114", "Teacher training with subject specialisation"},
	{"02", "Arts and humanities"},
	{"021", "Arts"}, {"0211", "Audio-visual techniques and media production"}, {"0212", "Fashion, interior and industrial design"},
	{"0213", "Fine arts"}, {"0214", "Handicrafts"}, {"0215", "Music and performing arts"},
	{"022", "Humanities (except languages)"}, {"0221", "Religion and theology"}, {"0222", "History and archaeology"}, {"0223", "Philosophy and ethics"},
	{"023", "Languages"}, {"0231", "Language acquisition"}, {"0232", "Literature and linguistics"},
	{"03", "Social sciences, journalism and information"},
	{"031", "Social and behavioural sciences"}, {"0311", "Economics"}, {"0312", "Political sciences and civics"},
	{"0313", "Psychology"}, {"0314", "Sociology and cultural studies"},
	{"032", "Journalism and information"}, {"0321", "Journalism and reporting"}, {"0322", "Library, information and archival studies"},
	{"04", "Business, administration and law"},
	{"041", "Business and administration"}, {"0411", "Accounting and taxation"}, {"0412", "Finance, banking and insurance"},
	{"0413", "Management and administration"}, {"0414", "Marketing and advertising"}, {"0415", "Secretarial and office work"},
	{"0416", "Wholesale and retail sales"}, {"0417", "Work skills"},
	{"042", "Law"}, {"0421", "Law"},
	{"05", "Natural sciences, mathematics and statistics"},
	{"051", "Biological and related sciences"}, {"0511", "Biology"}, {"0512", "Biochemistry"},
	{"052", "Environment"}, {"0521", "Environmental sciences"}, {"0522", "Natural environments and wildlife"},
	{"053", "Physical sciences"}, {"0531", "Chemistry"}, {"0532", "Earth sciences"}, {"0533", "Physics"},
	{"054", "Mathematics and statistics"}, {"0541", "Mathematics"}, {"0542", "Statistics"},
	{"06", "Information and Communication Technologies (ICTs)"},
	{"061", "Information and Communication Technologies (ICTs)"}, {"0611", "Computer use"},
	{"0612", "Database and network design and administration"}, {"0613", "Software and applications development and analysis"},
	{"07", "Engineering, manufacturing and construction"},
	{"071", "Engineering and engineering trades"}, {"0711", "Chemical engineering and processes"},
	{"0712", "Environmental protection technology"}, {"0713", "Electricity and energy"}, {"0714", "Electronics and automation"},
	{"0715", "Mechanics and metal trades"}, {"0716", "Motor vehicles, ships and aircraft"},
	{"072", "Manufacturing and processing"}, {"0721", "Food processing"}, {"0722", "Materials (glass, paper, plastic and wood)"},
	{"0723", "Textiles (clothes, footwear and leather)"}, {"0724", "Mining and extraction"},
	{"073", "Architecture and construction"}, {"0731", "Architecture and town planning"}, {"0732", "Building and civil engineering"},
	{"08", "Agriculture, forestry, fisheries and veterinary"},
	{"081", "Agriculture"}, {"0811", "Crop and livestock production"}, {"0812", "Horticulture"},
	{"082", "Forestry"}, {"0821", "Forestry"}, {"083", "Fisheries"}, {"0831", "Fisheries"}, {"084", "Veterinary"}, {"0841", "Veterinary"},
	{"09", "Health and welfare"},
	{"091", "Health"}, {"0911", "Dental studies"}, {"0912", "Medicine"}, {"0913", "Nursing and midwifery"},
	{"0914", "Medical diagnostic and treatment technology"}, {"0915", "Therapy and rehabilitation"}, {"0916", "Pharmacy"},
	{"0917", "Traditional and complementary medicine and therapy"},
	{"092", "Welfare"}, {"0921", "Care of the elderly and of disabled adults"}, {"0922", "Child care and youth services"},
	{"0923", "Social work and counselling"},
	{"10", "Services"},
	{"101", "Personal services"}, {"1011", "Domestic services"}, {"1012", "Hair and beauty services"},
	{"1013", "Hotel, restaurants and catering"}, {"1014", "Sports"}, {"1015", "Travel, tourism and leisure"},
	{"102", "Hygiene and occupational health services"}, {"1021", "Community sanitation"}, {"1022", "Occupational health and safety"},
	{"103", "Security services"}, {"1031", "Military and defence"}, {"1032", "Protection of persons and property"},
	{"104", "Transport services"}, {"1041", "Transport services"},
	{"99", "Field unknown"}, {"999", "Field unknown"}, {"9999", "Field unknown"},
}

func iscedConcepts() []Concept {
	var out []Concept
	for _, l := range iscedLabels {
		out = append(out, Concept{Code: l.code, Labels: iscedNames(l.code, l.label)})
	}
	// Each broad field (except 00 and 99) also has a narrow and a detailed
	// "not further defined" code and an inter-disciplinary one.
	for _, l := range iscedLabels {
		broad := l.code
		if len(broad) != 2 || broad == "00" || broad == "99" {
			continue
		}
		nfd, inter := notFurtherDefined(iscedNames(broad, l.label)), interdisciplinary(iscedNames(broad, l.label))
		out = append(out,
			Concept{Code: broad + "0", Labels: nfd}, Concept{Code: broad + "00", Labels: nfd},
			Concept{Code: broad + "8", Labels: inter}, Concept{Code: broad + "88", Labels: inter},
		)
	}
	return out
}

// iscedNames are a field's labels: English and, where known, German and
// French.
func iscedNames(code, english string) map[string]string {
	names := en(english)
	if tr, ok := iscedTranslations[code]; ok {
		names["de"], names["fr"] = tr.de, tr.fr
	}
	return names
}

func notFurtherDefined(broad map[string]string) map[string]string {
	out := en(broad["en"] + " not further defined")
	if de, ok := broad["de"]; ok {
		out["de"] = de + " (nicht näher bestimmt)"
	}
	if fr, ok := broad["fr"]; ok {
		out["fr"] = fr + " (non précisé)"
	}
	return out
}

func interdisciplinary(broad map[string]string) map[string]string {
	out := en("Inter-disciplinary programmes and qualifications involving " + lowerFirst(broad["en"]))
	if de, ok := broad["de"]; ok {
		out["de"] = "Interdisziplinäre Bildungsgänge und Qualifikationen mit Schwerpunkt " + de
	}
	if fr, ok := broad["fr"]; ok {
		out["fr"] = "Programmes et certifications interdisciplinaires\u00a0: " + lowerFirst(fr)
	}
	return out
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}
