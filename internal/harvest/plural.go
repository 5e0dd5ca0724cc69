package harvest

import "fmt"

// Count writes a number with its noun in the right number: "1 page",
// "2 pages", "0 courses". Nouns whose plural is not noun+"s" pass it after
// a slash: Count(n, "entry/entries").
func Count(n int, noun string) string {
	one, many := noun, noun+"s"
	for i := range len(noun) {
		if noun[i] == '/' {
			one, many = noun[:i], noun[i+1:]
			break
		}
	}
	if n == 1 {
		return fmt.Sprintf("1 %s", one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
