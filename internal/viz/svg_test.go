package viz

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/fold"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// graphAt builds a stdlib model at an optimisation level.
func graphAt(t *testing.T, name string, level int) *ir.Graph {
	t.Helper()
	g := testenv.Build(t, name, nil)
	if err := ir.RunPipeline(g, ir.Options{Level: level}); err != nil {
		t.Fatal(err)
	}
	return g
}

// wantBoxes counts what a fold at depth must show, from the graph alone:
// every node at depth 0, else one box per scope prefix and one per node
// outside any.
func wantBoxes(g *ir.Graph, depth int) int {
	keys := map[string]bool{}
	for _, n := range g.Nodes {
		k := "node " + n.Name
		if depth > 0 && len(n.Scope) >= depth {
			k = "scope " + strings.Join(n.Scope[:depth], "\x00")
		}
		keys[k] = true
	}
	return len(keys)
}

// svgCounts parses an SVG document strictly and counts its node boxes
// (<g class="node">), edges and shortcut edges, and collects the node
// titles and edge titles.
type svgCounts struct {
	boxes, edges, shortcuts int
	nodeTitles              map[string]bool
	edgeEnds                []string
}

func parseSVG(t *testing.T, data []byte) svgCounts {
	t.Helper()
	c := svgCounts{nodeTitles: map[string]bool{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []string // class of each open element
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Space + " " + el.Name.Local
			}
			class := ""
			for _, a := range el.Attr {
				if a.Name.Local == "class" {
					class = a.Value
				}
			}
			switch {
			case el.Name.Local == "g" && class == "node":
				c.boxes++
			case el.Name.Local == "path" && strings.HasPrefix(class, "edge"):
				c.edges++
				if class == "edge shortcut" {
					c.shortcuts++
				}
			case el.Name.Local == "title" && len(stack) > 0:
				var s string
				if err := dec.DecodeElement(&s, &el); err != nil {
					t.Fatal(err)
				}
				switch stack[len(stack)-1] {
				case "node":
					c.nodeTitles[s] = true
				case "edge", "edge shortcut":
					c.edgeEnds = append(c.edgeEnds, s)
				}
				continue
			}
			stack = append(stack, class)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q", root)
	}
	return c
}

// TestSVGBoxes draws models at several depths, as written and optimised,
// and checks the SVG against the graph: well-formed, one box per node or
// scope, one edge per box input, every edge between drawn boxes, and as
// many shortcuts as the fold marks.
func TestSVGBoxes(t *testing.T) {
	models := []string{"resnet18", "keras_resnet50v2", "cifar_resnet20", "ecaresnet50d", "resnext50_32x4d"}
	if testing.Short() {
		models = models[:3]
	}
	for _, name := range models {
		for _, level := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/O%d", name, level), func(t *testing.T) {
				g := graphAt(t, name, level)
				for _, depth := range []int{0, 1, 2, 3, 99} {
					fg := fold.Fold(g, depth)
					var b bytes.Buffer
					if err := WriteSVG(&b, fg, name); err != nil {
						t.Fatal(err)
					}
					c := parseSVG(t, b.Bytes())
					if want := wantBoxes(g, depth); c.boxes != want {
						t.Errorf("depth %d: %d boxes drawn, the graph has %d", depth, c.boxes, want)
					}
					if depth == 0 && c.boxes != len(g.Nodes) {
						t.Errorf("depth 0: %d boxes for %d nodes", c.boxes, len(g.Nodes))
					}
					edges, shortcuts := 0, 0
					for _, bx := range fg.Boxes {
						edges += len(bx.Inputs)
						for _, e := range bx.Inputs {
							if e.Shortcut {
								shortcuts++
							}
						}
					}
					if c.edges != edges || c.shortcuts != shortcuts {
						t.Errorf("depth %d: %d edges (%d shortcuts) drawn, the fold has %d (%d)", depth, c.edges, c.shortcuts, edges, shortcuts)
					}
					for _, e := range c.edgeEnds {
						from, to, ok := strings.Cut(e, " → ")
						if !ok || !c.nodeTitles[from] || !c.nodeTitles[to] {
							t.Errorf("depth %d: edge %q joins boxes not drawn", depth, e)
						}
					}
				}
			})
		}
	}
}

// TestShortcutsDrawn: resnet18 as written has 8 residual blocks, so 8
// dashed edges at depth 0, none at depth 2 (inside the block boxes).
func TestShortcutsDrawn(t *testing.T) {
	g := graphAt(t, "resnet18", 0)
	for depth, want := range map[int]int{0: 8, 2: 0, 3: 8} {
		var b bytes.Buffer
		if err := WriteSVG(&b, fold.Fold(g, depth), "resnet18"); err != nil {
			t.Fatal(err)
		}
		if got := parseSVG(t, b.Bytes()).shortcuts; got != want {
			t.Errorf("depth %d: %d shortcuts drawn, want %d", depth, got, want)
		}
	}
}

// TestFusedEpiloguesShown: at -O2 the boxes say what was fused.
func TestFusedEpiloguesShown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSVG(&b, fold.Fold(graphAt(t, "resnet50", 2), 0), "resnet50"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">Conv+BN+ReLU<", ">Conv+BN+Add+ReLU<", ">layer1.0.downsample.0<", "[N,256,56,56] · 16,640 params"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in the SVG", want)
		}
	}
}

// TestDeterministic: two elaborations of a model draw the same bytes.
func TestDeterministic(t *testing.T) {
	draw := func() ([]byte, []byte) {
		p, err := compiler.LoadStdModel("ecaresnet50d")
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build("ecaresnet50d", nil)
		if err != nil {
			t.Fatal(err)
		}
		fg := fold.Fold(g, 3)
		var s, d bytes.Buffer
		if err := WriteSVG(&s, fg, "t"); err != nil {
			t.Fatal(err)
		}
		if err := WriteDOT(&d, fg, "t"); err != nil {
			t.Fatal(err)
		}
		return s.Bytes(), d.Bytes()
	}
	s1, d1 := draw()
	s2, d2 := draw()
	if !bytes.Equal(s1, s2) || !bytes.Equal(d1, d2) {
		t.Error("the same graph gave different bytes")
	}
}

// TestHostileNames: names with XML and DOT metacharacters, and
// characters XML cannot hold, still give well-formed output.
func TestHostileNames(t *testing.T) {
	names := []string{"<&'\"x\\", "a]]>\x01", "{\n}", "-> \"q", "a]]>\x01"}
	fg := &fold.Graph{Name: "n\"}"}
	for i, name := range names {
		b := &fold.Box{ID: i, Name: name, Kind: "Relu", Shape: ir.Shape{ir.Batch, 4}, Params: 1234}
		if i > 0 {
			b.Inputs = []fold.Edge{{From: fg.Boxes[i-1], Shortcut: i%2 == 0}}
		}
		fg.Boxes = append(fg.Boxes, b)
	}
	var b, d bytes.Buffer
	if err := WriteSVG(&b, fg, "<n>\x02"); err != nil {
		t.Fatal(err)
	}
	if c := parseSVG(t, b.Bytes()); c.boxes != len(names) || c.edges != len(names)-1 {
		t.Errorf("%d boxes and %d edges drawn, want %d and %d", c.boxes, c.edges, len(names), len(names)-1)
	}
	if err := WriteDOT(&d, fg, "<n>"); err != nil {
		t.Fatal(err)
	}
	checkDOT(t, d.String(), len(names))
}

var dotToken = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|->|[{}\[\];=,]|[A-Za-z_][A-Za-z0-9_]*|-?[0-9.]+|\s+`)

// checkDOT parses the DOT that WriteDOT writes with a small grammar:
// digraph ID { (graph|node) [attrs]; | ID [attrs]; | ID -> ID [attrs]; }
// with every ID quoted, every edge endpoint a declared node, and the
// given number of nodes.
func checkDOT(t *testing.T, text string, boxes int) {
	t.Helper()
	var toks []string
	rest := text
	for rest != "" {
		loc := dotToken.FindStringIndex(rest)
		if loc == nil || loc[0] != 0 {
			t.Fatalf("DOT: unexpected text at %.40q", rest)
		}
		if tok := rest[:loc[1]]; strings.TrimSpace(tok) != "" {
			toks = append(toks, tok)
		}
		rest = rest[loc[1]:]
	}
	i := 0
	next := func() string {
		if i >= len(toks) {
			t.Fatalf("DOT ends early")
		}
		i++
		return toks[i-1]
	}
	expect := func(want string) {
		if got := next(); got != want {
			t.Fatalf("DOT: %q where %q belongs (token %d)", got, want, i)
		}
	}
	quoted := func() string {
		s := next()
		if len(s) < 2 || s[0] != '"' {
			t.Fatalf("DOT: ID %q is not quoted", s)
		}
		return s
	}
	attrs := func() {
		expect("[")
		for {
			next() // name
			expect("=")
			next() // value
			if s := next(); s == "]" {
				return
			} else if s != "," {
				t.Fatalf("DOT: %q in an attribute list", s)
			}
		}
	}
	expect("digraph")
	quoted()
	expect("{")
	declared := map[string]bool{}
	for {
		tok := next()
		if tok == "}" {
			break
		}
		switch {
		case tok == "graph" || tok == "node":
			attrs()
		case strings.HasPrefix(tok, `"`):
			if i < len(toks) && toks[i] == "->" {
				next()
				to := quoted()
				if !declared[tok] || !declared[to] {
					t.Errorf("DOT: edge %s -> %s before its nodes", tok, to)
				}
			} else {
				if declared[tok] {
					t.Errorf("DOT: node %s twice", tok)
				}
				declared[tok] = true
			}
			if i < len(toks) && toks[i] == "[" {
				attrs()
			}
		default:
			t.Fatalf("DOT: statement starts with %q", tok)
		}
		expect(";")
	}
	if i != len(toks) {
		t.Errorf("DOT: %d tokens after the graph", len(toks)-i)
	}
	if len(declared) != boxes {
		t.Errorf("DOT declares %d nodes, want %d", len(declared), boxes)
	}
}

func TestDOT(t *testing.T) {
	for _, name := range []string{"resnet18", "keras_resnet50v2"} {
		g := graphAt(t, name, 2)
		for _, depth := range []int{0, 2} {
			fg := fold.Fold(g, depth)
			var b bytes.Buffer
			if err := WriteDOT(&b, fg, name+" · depth"); err != nil {
				t.Fatal(err)
			}
			checkDOT(t, b.String(), wantBoxes(g, depth))
			if n := strings.Count(b.String(), "style=dashed"); depth == 0 && n != 8 && n != 16 {
				t.Errorf("%s: %d dashed edges", name, n)
			}
		}
	}
}

// TestTooLarge: a graph whose long edges would need more lanes than a
// layout may hold is an error, before any is allocated.
func TestTooLarge(t *testing.T) {
	fg := &fold.Graph{Name: "big"}
	const n = 3000 // 2,999 edges from box 0, ~4.5 million lanes
	for i := 0; i < n; i++ {
		b := &fold.Box{ID: i, Name: "x", Kind: "Relu"}
		if i > 0 {
			b.Inputs = []fold.Edge{{From: fg.Boxes[i-1]}, {From: fg.Boxes[0], Shortcut: true}}
		}
		fg.Boxes = append(fg.Boxes, b)
	}
	err := WriteSVG(io.Discard, fg, "big")
	if _, ok := err.(*TooLargeError); !ok {
		t.Fatalf("got %v, want a TooLargeError", err)
	}
}
