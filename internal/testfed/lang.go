package testfed

// langID indexes the languages of the phrase bank.
type langID int

const (
	langEN langID = iota
	langDE
	langNL
	langFR
	langES
	langIT
	langPT
	langPL
	langCS
	langSV
	langFI
	numLangs
)

// language holds the codes of one language.
type language struct {
	iso1  string // ISO 639-1, the BCP 47 primary subtag
	iso2T string // ISO 639-2/T (terminology), as the EU NAL uses
	iso2B string // ISO 639-2/B (bibliographic), as some systems publish
	// path is the course-catalogue path segment on the institution's
	// website, in this language.
	path string
}

var languages = [numLangs]language{
	langEN: {"en", "eng", "eng", "courses"},
	langDE: {"de", "deu", "ger", "studium/module"},
	langNL: {"nl", "nld", "dut", "onderwijs/vakken"},
	langFR: {"fr", "fra", "fre", "formation/cours"},
	langES: {"es", "spa", "spa", "estudios/asignaturas"},
	langIT: {"it", "ita", "ita", "didattica/insegnamenti"},
	langPT: {"pt", "por", "por", "ensino/unidades-curriculares"},
	langPL: {"pl", "pol", "pol", "studia/przedmioty"},
	langCS: {"cs", "ces", "cze", "studium/predmety"},
	langSV: {"sv", "swe", "swe", "utbildning/kurser"},
	langFI: {"fi", "fin", "fin", "opinnot/opintojaksot"},
}

// instKind is the profile of an institution, which weights its subjects.
type instKind int

const (
	kindUniversity instKind = iota // all fields
	kindTechnical                  // science, ICT and engineering first
	kindApplied                    // applied sciences: business, ICT, engineering, health, services
)

// instTemplate is a fictional institution. None of them exists.
type instTemplate struct {
	country string // ISO 3166 alpha-2
	lang    langID
	region  string // BCP 47 region subtag of the home language
	name    string // official name in the home language
	english string
	acronym string
	slug    string // SCHAC code without ".test"
	city    string
	kind    instKind
}

// institutionTemplates are ordered so that any 12 consecutive ones cover 12
// countries: institution i uses template i modulo the length.
var institutionTemplates = []instTemplate{
	{"DE", langDE, "DE", "Universität Lindenau", "University of Lindenau", "ULI", "uni-lindenau", "Lindenau", kindUniversity},
	{"FR", langFR, "FR", "Université de Valmont", "University of Valmont", "UVM", "univ-valmont", "Valmont", kindUniversity},
	{"NL", langNL, "NL", "Universiteit Zeeland-Oost", "University of East Zeeland", "UZO", "uzo", "Oosterkerk", kindUniversity},
	{"IT", langIT, "IT", "Università di Monteverde", "University of Monteverde", "UNIMV", "unimonteverde", "Monteverde", kindUniversity},
	{"ES", langES, "ES", "Universidad de Almena", "University of Almena", "UAL", "ualmena", "Almena", kindUniversity},
	{"PL", langPL, "PL", "Uniwersytet Wrzosowy", "Heathland University", "UWRZ", "uwrzosowy", "Wrzosów", kindUniversity},
	{"AT", langDE, "AT", "Technische Universität Leithaberg", "Leithaberg University of Technology", "TUL", "tu-leithaberg", "Leithaberg", kindTechnical},
	{"BE", langNL, "BE", "Universiteit Scheldeland", "Scheldeland University", "USL", "uscheldeland", "Scheldemonde", kindUniversity},
	{"SE", langSV, "SE", "Björkviks universitet", "Björkvik University", "BJU", "bjorkvik-univ", "Björkvik", kindUniversity},
	{"FI", langFI, "FI", "Järvilinnan yliopisto", "University of Järvilinna", "JLY", "jarvilinna", "Järvilinna", kindUniversity},
	{"PT", langPT, "PT", "Universidade de Serrabela", "University of Serrabela", "USB", "userrabela", "Serrabela", kindUniversity},
	{"CZ", langCS, "CZ", "Podhorská univerzita", "Podhory University", "PHU", "podhorska", "Podhory", kindUniversity},

	{"DE", langDE, "DE", "Technische Hochschule Birkenfels", "Birkenfels University of Technology", "THB", "th-birkenfels", "Birkenfels", kindTechnical},
	{"FR", langFR, "FR", "École d'ingénieurs de Clairbois", "Clairbois School of Engineering", "EIC", "ei-clairbois", "Clairbois", kindTechnical},
	{"NL", langNL, "NL", "Hogeschool Veenhoven", "Veenhoven University of Applied Sciences", "HSV", "hsveenhoven", "Veenhoven", kindApplied},
	{"IT", langIT, "IT", "Politecnico di Valdoria", "Valdoria Polytechnic University", "POLIVD", "polivaldoria", "Valdoria", kindTechnical},
	{"ES", langES, "ES", "Universidad Politécnica de Villaclara", "Technical University of Villaclara", "UPVC", "upvillaclara", "Villaclara", kindTechnical},
	{"PL", langPL, "PL", "Politechnika Bursztynowa", "Amber University of Technology", "PBU", "pbursztynowa", "Bursztynowo", kindTechnical},
	{"AT", langDE, "AT", "Fachhochschule Kärntental", "Kärntental University of Applied Sciences", "FHK", "fh-kaerntental", "Kärntental", kindApplied},
	{"BE", langFR, "BE", "Université des Hautes-Fagnes", "University of Hautes-Fagnes", "UHF", "uhautesfagnes", "Fagnelle", kindUniversity},
	{"SE", langSV, "SE", "Tekniska högskolan i Älvdal", "Älvdal Institute of Technology", "ATH", "alvdal-th", "Älvdal", kindTechnical},
	{"FI", langFI, "FI", "Koivurannan ammattikorkeakoulu", "Koivuranta University of Applied Sciences", "KAMK", "koivuranta-amk", "Koivuranta", kindApplied},
	{"PT", langPT, "PT", "Instituto Politécnico de Vale Formoso", "Polytechnic Institute of Vale Formoso", "IPVF", "ipvaleformoso", "Vale Formoso", kindApplied},
	{"CZ", langCS, "CZ", "Vysoké učení technické v Kamenici", "Kamenice University of Technology", "VUTK", "vut-kamenice", "Kamenice", kindTechnical},

	{"DE", langDE, "DE", "Hochschule Auenthal", "Auenthal University of Applied Sciences", "HSA", "hs-auenthal", "Auenthal", kindApplied},
	{"FR", langFR, "FR", "Université de Roncevert", "University of Roncevert", "URV", "univ-roncevert", "Roncevert", kindUniversity},
	{"NL", langNL, "NL", "Technische Universiteit Dijkstede", "Dijkstede University of Technology", "TUD", "tudijkstede", "Dijkstede", kindTechnical},
	{"IT", langIT, "IT", "Università degli Studi di Castelrosso", "University of Castelrosso", "UNICR", "unicastelrosso", "Castelrosso", kindUniversity},
	{"ES", langES, "ES", "Universidad de Puertoluz", "University of Puertoluz", "UPL", "upuertoluz", "Puertoluz", kindUniversity},
	{"PL", langPL, "PL", "Akademia Nadrzeczna", "Riverside Academy", "ANR", "anadrzeczna", "Nadrzecze", kindApplied},
	{"AT", langDE, "AT", "Universität Almtal", "University of Almtal", "UAT", "uni-almtal", "Almtal", kindUniversity},
	{"BE", langNL, "BE", "Hogeschool Kempenland", "Kempenland University of Applied Sciences", "HKL", "hkempenland", "Heidebeek", kindApplied},
	{"SE", langSV, "SE", "Sjöstads högskola", "Sjöstad University College", "SJH", "sjostad-hs", "Sjöstad", kindApplied},
	{"FI", langFI, "FI", "Tunturilan teknillinen yliopisto", "Tunturila University of Technology", "TTY", "tunturila-tech", "Tunturila", kindTechnical},
	{"PT", langPT, "PT", "Universidade de Pedralva", "University of Pedralva", "UPD", "upedralva", "Pedralva", kindUniversity},
	{"CZ", langCS, "CZ", "Vysoká škola Lipová", "Lipová College", "VSL", "vs-lipova", "Lipová", kindApplied},
}

var countries = map[string]Country{
	"AT": {"AT", "AUT", "Austria"},
	"BE": {"BE", "BEL", "Belgium"},
	"CZ": {"CZ", "CZE", "Czechia"},
	"DE": {"DE", "DEU", "Germany"},
	"ES": {"ES", "ESP", "Spain"},
	"FI": {"FI", "FIN", "Finland"},
	"FR": {"FR", "FRA", "France"},
	"IT": {"IT", "ITA", "Italy"},
	"NL": {"NL", "NLD", "Netherlands"},
	"PL": {"PL", "POL", "Poland"},
	"PT": {"PT", "PRT", "Portugal"},
	"SE": {"SE", "SWE", "Sweden"},
}

// ectsByCountry lists the usual course sizes in each country.
var ectsByCountry = map[string][]float64{
	"AT": {3, 4, 5, 6, 7.5},
	"BE": {3, 4, 5, 6},
	"CZ": {3, 4, 5, 6},
	"DE": {5, 5, 6, 10},
	"ES": {3, 4.5, 6, 6, 9},
	"FI": {5, 5, 10},
	"FR": {3, 4, 6, 6},
	"IT": {6, 6, 8, 9, 12},
	"NL": {5, 5, 7.5, 10, 15},
	"PL": {3, 4, 5, 6},
	"PT": {5, 6, 7.5},
	"SE": {7.5, 7.5, 15},
}

// alliance is a fictional European University alliance.
type alliance struct {
	code string // eduXchange-style alliance name
	name string
}

var alliances = []alliance{
	{"lumen", "LUMEN European University"},
	{"via-aurora", "Via Aurora Alliance"},
	{"stella-polaris", "Stella Polaris European University"},
}
