package main

import (
	"fmt"
	"os"
	"resc/compiler"
	"resc/internal/diag"
)

func main() {
	p, err := compiler.LoadModule(os.Args[1])
	if err != nil {
		diag.Render(os.Stdout, err)
		return
	}
	for _, n := range p.Networks() {
		g, err := p.Build(n.Name, nil)
		if err != nil {
			diag.Render(os.Stdout, err)
			continue
		}
		s := g.Stats()
		fmt.Println(n.Name, s.Trainable, s.Total, float64(s.MACs)/1e9)
		if len(os.Args) > 2 && os.Args[2] == n.Name {
			g.Dump(os.Stdout)
		}
	}
}
