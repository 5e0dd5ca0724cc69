package web

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A message catalogue is a gettext PO file: entries of msgctxt (optional),
// msgid, msgid_plural (optional) and msgstr or msgstr[n], each value one or
// more quoted strings that are joined. Comments ("#…") are skipped, and an
// entry marked "#, fuzzy" is treated as untranslated, as gettext does. The
// header (msgid "") is not a message.
//
// The parser is strict because the files merge by union from many
// branches: a line it does not understand, or one msgid translated two
// different ways, is an error naming the file and line, so a bad merge
// fails start-up (and the tests) instead of showing a wrong text.

// poEntry is one message with its translation; Forms holds msgstr, or
// msgstr[0], msgstr[1]… of a plural message.
type poEntry struct {
	Context, ID, Plural string
	Forms               []string
	Fuzzy               bool
	Line                int
}

// key is how a message is looked up: the context, if any, and the msgid.
func (e poEntry) key() string { return messageKey(e.Context, e.ID) }

func messageKey(context, id string) string {
	if context == "" {
		return id
	}
	return context + "\x04" + id
}

// translated reports whether the entry carries a translation to use.
func (e poEntry) translated() bool {
	return !e.Fuzzy && e.ID != "" && len(e.Forms) > 0 && !slices.Contains(e.Forms, "")
}

// parsePO reads a PO file into its messages, keyed by messageKey; name is
// the file's name for error messages.
func parsePO(name string, data []byte) (map[string]poEntry, error) {
	p := poParser{name: name, out: map[string]poEntry{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(strings.TrimSpace(sc.Text())); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.out, nil
}

type poParser struct {
	name string
	line int
	out  map[string]poEntry
	// cur is the entry being read; field is the keyword whose string a
	// continuation line extends ("msgid", "msgstr[1]"…).
	cur   poEntry
	field string
	fuzzy bool
	seen  map[string]bool
}

func (p *poParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, p.line, fmt.Sprintf(format, args...))
}

func (p *poParser) parseLine(line string) error {
	switch {
	case line == "":
		return p.finish()
	case strings.HasPrefix(line, "#") && p.cur.Forms != nil:
		// A comment after a msgstr belongs to the next entry.
		if err := p.finish(); err != nil {
			return err
		}
		return p.parseLine(line)
	case strings.HasPrefix(line, "#,"):
		p.fuzzy = p.fuzzy || strings.Contains(line, "fuzzy")
		return nil
	case strings.HasPrefix(line, "#"):
		return nil
	case strings.HasPrefix(line, `"`):
		if p.field == "" {
			return p.errorf("a string continues no msgid or msgstr")
		}
		s, err := p.unquote(line)
		if err != nil {
			return err
		}
		return p.append(p.field, s)
	}
	keyword, rest, _ := strings.Cut(line, " ")
	s, err := p.unquote(strings.TrimSpace(rest))
	if err != nil {
		return err
	}
	// A new msgctxt or msgid after a msgstr starts the next entry, even
	// without a blank line between them.
	if (keyword == "msgctxt" || keyword == "msgid") && p.cur.Forms != nil {
		if err := p.finish(); err != nil {
			return err
		}
	}
	if p.cur.Line == 0 {
		p.cur.Line = p.line
	}
	p.field = keyword
	return p.set(keyword, s)
}

// set starts a field of the current entry; each keyword comes once, in
// gettext's order.
func (p *poParser) set(keyword, s string) error {
	hasID := p.seen["msgid"]
	switch {
	case keyword == "msgctxt" && !p.seen["msgctxt"] && !hasID:
		p.cur.Context = s
	case keyword == "msgid" && !hasID:
		p.cur.ID = s
	case keyword == "msgid_plural" && hasID && !p.seen[keyword] && p.cur.Forms == nil:
		p.cur.Plural = s
	case keyword == "msgstr" && hasID && p.cur.Forms == nil:
		p.cur.Forms = []string{s}
	case strings.HasPrefix(keyword, "msgstr[") && strings.HasSuffix(keyword, "]") && hasID:
		n, err := strconv.Atoi(keyword[len("msgstr[") : len(keyword)-1])
		if err != nil || n != len(p.cur.Forms) {
			return p.errorf("%s out of order (expected msgstr[%d])", keyword, len(p.cur.Forms))
		}
		p.cur.Forms = append(p.cur.Forms, s)
	default:
		return p.errorf("unexpected %s here", keyword)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[keyword] = true
	return nil
}

// append extends the field a continuation line belongs to.
func (p *poParser) append(field, s string) error {
	switch {
	case field == "msgctxt":
		p.cur.Context += s
	case field == "msgid":
		p.cur.ID += s
	case field == "msgid_plural":
		p.cur.Plural += s
	case strings.HasPrefix(field, "msgstr"):
		p.cur.Forms[len(p.cur.Forms)-1] += s
	}
	return nil
}

func (p *poParser) unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", p.errorf("expected a quoted string, found %q", s)
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		return "", p.errorf("bad string %s: %v", s, err)
	}
	return v, nil
}

// finish stores the entry read so far, refusing a second, different
// translation of the same message.
func (p *poParser) finish() error {
	e := p.cur
	e.Fuzzy = p.fuzzy
	p.cur, p.field, p.fuzzy, p.seen = poEntry{}, "", false, nil
	if e.Line == 0 {
		return nil
	}
	if e.Forms == nil {
		return fmt.Errorf("%s:%d: msgid %q has no msgstr", p.name, e.Line, e.ID)
	}
	if e.Plural != "" && len(e.Forms) < 2 || e.Plural == "" && len(e.Forms) != 1 {
		return fmt.Errorf("%s:%d: msgid %q: msgstr[n] goes with msgid_plural, msgstr without", p.name, e.Line, e.ID)
	}
	if e.ID == "" {
		return nil // the header
	}
	if prev, dup := p.out[e.key()]; dup && (!slices.Equal(prev.Forms, e.Forms) || prev.Plural != e.Plural) {
		return fmt.Errorf("%s:%d: msgid %q is translated differently at line %d", p.name, e.Line, e.ID, prev.Line)
	}
	p.out[e.key()] = e
	return nil
}
