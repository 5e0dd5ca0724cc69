package export

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// courseRow is a stored course with the institution publishing it.
type courseRow struct {
	store.Course
	Provider model.Provider
}

// column is one documented CSV column.
type column struct {
	Name string
	// Doc says what the column holds, for the dataset page and docs.
	Doc string
}

type columns []column

func (cs columns) names() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// listSep joins the values of a many-valued cell.
const listSep = ";"

// CourseColumns documents courses.csv: one row per active course.
var CourseColumns = columns{
	{"id", "the course identifier (an IRI: urn:schac:uniqueCourseId:… or the source's URL)"},
	{"title", "the title, in English when given, else in the language shown in title_lang"},
	{"title_lang", "the language tag of title (und: not stated)"},
	{"titles", "every title as lang=text, separated by ;"},
	{"provider_id", "the institution's identifier in qlink (its SCHAC home organisation, usually)"},
	{"provider_name", "the institution's name"},
	{"country", "the institution's country, ISO 3166-1 alpha-2"},
	{"kind", "achievement (a learning opportunity leading to a result) or activity"},
	{"type", "the learning-opportunity type (EU vocabulary IRI)"},
	{"ects", "ECTS credits (decimal point), empty when not given"},
	{"eqf_level", "EQF level 1–8, empty when not given"},
	{"isced_f", "ISCED-F 2013 field codes, separated by ;"},
	{"languages", "languages of instruction (BCP 47 tags), separated by ;"},
	{"modes", "modes of learning of its offerings (EU vocabulary IRIs), separated by ;"},
	{"url", "the course's web page"},
	{"status", "active (the dataset holds active courses only)"},
	{"offerings", "how many offerings (rows in offerings.csv) the course has"},
	{"modified", "when the source last changed the course (RFC 3339), if it says"},
	{"last_seen", "when qlink last read the course from its source (RFC 3339)"},
}

// OfferingColumns documents offerings.csv: one row per offering.
var OfferingColumns = columns{
	{"course_id", "the id of the course in courses.csv"},
	{"offering_id", "the offering's identifier"},
	{"title", "the offering's own title, if any, in English when given"},
	{"title_lang", "the language tag of title"},
	{"provider_id", "the institution publishing the course"},
	{"start", "start date (YYYY-MM-DD)"},
	{"end", "end date (YYYY-MM-DD)"},
	{"academic_term", "the academic term, as the source names it"},
	{"modes", "modes of learning (EU vocabulary IRIs), separated by ;"},
	{"language", "language of instruction (BCP 47)"},
	{"location", "where it takes place"},
	{"ects", "ECTS credits of this offering, empty when the course's apply"},
	{"application_deadline", "last day to apply (YYYY-MM-DD)"},
	{"registration_url", "where to apply"},
	{"url", "the offering's web page"},
}

// courseCSV encodes a course's row of courses.csv.
func courseCSV(c *courseRow) ([]byte, int, error) {
	s := &c.Spec
	lang, title := s.Title.Best("en")
	kind := "achievement"
	if s.Kind == model.KindActivity {
		kind = "activity"
	}
	row := []string{
		s.ID, title, lang, allTexts(s.Title), c.ProviderID, c.Provider.Name.String(), c.Provider.Country,
		kind, s.Type, ectsCell(s.Credits), eqfCell(s.EQFLevel), strings.Join(s.ISCEDF, listSep),
		strings.Join(s.Languages, listSep), strings.Join(s.Modes(), listSep), s.Homepage, string(store.StatusActive),
		strconv.Itoa(len(s.Instances)), timeCell(s.Modified), timeCell(c.LastSeen),
	}
	var buf bytes.Buffer
	err := writeCSVRow(&buf, row)
	return buf.Bytes(), 1, err
}

// offeringsCSV encodes a course's rows of offerings.csv.
func offeringsCSV(c *courseRow) ([]byte, int, error) {
	var buf bytes.Buffer
	for i := range c.Spec.Instances {
		in := &c.Spec.Instances[i]
		lang, title := in.Title.Best("en")
		row := []string{
			c.Spec.ID, in.ID, title, lang, c.ProviderID, dateCell(in.Start), dateCell(in.End), in.AcademicTerm.String(),
			strings.Join(in.Modes, listSep), in.DefaultLanguage, in.Location.String(), ectsCell(in.Credits),
			dateCell(in.ApplicationDeadline), in.RegistrationPortal, in.Homepage,
		}
		if err := writeCSVRow(&buf, row); err != nil {
			return nil, 0, err
		}
	}
	return buf.Bytes(), len(c.Spec.Instances), nil
}

// writeCSVRow writes one RFC 4180 record (CRLF line ends) with every cell
// made safe for spreadsheets.
func writeCSVRow(w io.Writer, cells []string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = neutralise(c)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(safe); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// neutralise puts an apostrophe before a cell a spreadsheet would run as a
// formula (=, +, -, @): harvested text reaches people's spreadsheets.
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func allTexts(t model.Text) string {
	var parts []string
	for _, l := range t.Langs() {
		parts = append(parts, l+"="+strings.ReplaceAll(t[l], listSep, ","))
	}
	return strings.Join(parts, listSep)
}

func ectsCell(cs []model.Credit) string {
	for _, c := range cs {
		if c.System == model.CreditECTS {
			return strconv.FormatFloat(c.Value, 'f', -1, 64)
		}
	}
	return ""
}

func eqfCell(level int) string {
	if level <= 0 {
		return ""
	}
	return strconv.Itoa(level)
}

func dateCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
