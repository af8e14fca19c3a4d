package resc_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
)

// TestLanguageDocExamples checks that every complete program in
// docs/language.md (a res block that declares a block or network and
// imports nothing from the reader's disk) is accepted by resc check, so
// the reference cannot drift from the compiler. The one example that
// shows errors is marked as such in the text before it.
func TestLanguageDocExamples(t *testing.T) {
	doc, err := os.ReadFile("docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```res\n(.*?)```").FindAllStringSubmatchIndex(string(doc), -1)
	checked := 0
	for _, m := range blocks {
		src := string(doc[m[2]:m[3]])
		before := string(doc[max(0, m[0]-400):m[0]])
		if !regexp.MustCompile(`(?m)^(block|network) `).MatchString(src) || strings.Contains(src, `.res"`) ||
			strings.Contains(before, "$ resc check err.res") || strings.Contains(src, "...") {
			continue
		}
		if strings.Contains(src, "rleu") || // the errors example of section 13
			regexp.MustCompile(`(?m)^network \w+ = `).MatchString(src) && !strings.Contains(src, "import") { // excerpts of the stdlib
			continue
		}
		checked++
		if err := resc.CheckString("language.md", src, resc.Limits{}); err != nil {
			t.Errorf("example at byte %d does not check:\n%s\n%v", m[2], src, err)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d examples", checked)
	}
	t.Logf("%d examples of docs/language.md check", checked)
}
