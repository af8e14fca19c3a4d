package lsp

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

const extensionDir = "../../editors/vscode"

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestExtensionManifest checks that the VS Code extension's manifest
// names files that exist and agree with each other.
func TestExtensionManifest(t *testing.T) {
	var pkg struct {
		Main             string   `json:"main"`
		ActivationEvents []string `json:"activationEvents"`
		Contributes      struct {
			Languages []struct {
				ID            string   `json:"id"`
				Extensions    []string `json:"extensions"`
				Configuration string   `json:"configuration"`
			} `json:"languages"`
			Grammars []struct {
				Language  string `json:"language"`
				ScopeName string `json:"scopeName"`
				Path      string `json:"path"`
			} `json:"grammars"`
		} `json:"contributes"`
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, filepath.Join(extensionDir, "package.json"), &pkg)
	c := pkg.Contributes
	if len(c.Languages) != 1 || c.Languages[0].ID != "res" || !reflect.DeepEqual(c.Languages[0].Extensions, []string{".res"}) {
		t.Fatalf("languages: %+v", c.Languages)
	}
	if len(c.Grammars) != 1 || c.Grammars[0].Language != "res" {
		t.Fatalf("grammars: %+v", c.Grammars)
	}
	var grammar tmGrammar
	readJSON(t, filepath.Join(extensionDir, c.Grammars[0].Path), &grammar)
	if grammar.ScopeName != c.Grammars[0].ScopeName {
		t.Errorf("the grammar's scope %q, the manifest's %q", grammar.ScopeName, c.Grammars[0].ScopeName)
	}
	var conf struct {
		Comments struct {
			LineComment string `json:"lineComment"`
		} `json:"comments"`
		Brackets [][2]string `json:"brackets"`
	}
	readJSON(t, filepath.Join(extensionDir, c.Languages[0].Configuration), &conf)
	if conf.Comments.LineComment != "#" || len(conf.Brackets) != 3 {
		t.Errorf("language configuration: %+v", conf)
	}
	if _, err := os.Stat(filepath.Join(extensionDir, pkg.Main)); err != nil {
		t.Error(err)
	}
	if pkg.Dependencies["vscode-languageclient"] == "" || !reflect.DeepEqual(pkg.ActivationEvents, []string{"onLanguage:res"}) {
		t.Errorf("dependencies %v, activation %v", pkg.Dependencies, pkg.ActivationEvents)
	}
}

// harness loads extension.js under Node with stand-ins for the vscode
// and vscode-languageclient modules (which only exist inside VS Code and
// after npm install), activates and deactivates it, and prints what it
// asked the language client to do.
const harness = `
const Module = require('module');
const calls = {};
const load = Module._load;
Module._load = function (request) {
  if (request === 'vscode') {
    return { workspace: { getConfiguration: (s) => ({ get: (k) => s === 'resc' && k === 'path' ? '/opt/bin/resc' : undefined }) } };
  }
  if (request === 'vscode-languageclient/node') {
    return { LanguageClient: class {
      constructor(id, name, server, client) { Object.assign(calls, { id, server, client }); }
      start() { calls.started = true; return Promise.resolve(); }
      stop() { calls.stopped = true; return Promise.resolve(); }
    } };
  }
  return load.apply(this, arguments);
};
const ext = require(process.argv[2]);
const context = { subscriptions: [] };
Promise.resolve(ext.activate(context)).then(() => ext.deactivate()).then(() => {
  calls.subscriptions = context.subscriptions.length;
  console.log(JSON.stringify(calls));
});
`

// TestExtensionStartsServer runs extension.js: it starts `resc lsp`
// (resc.path's program) for res documents and stops it on deactivation.
func TestExtensionStartsServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node: %v", err)
	}
	main, err := filepath.Abs(filepath.Join(extensionDir, "extension.js"))
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "harness.js")
	if err := os.WriteFile(script, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, script, main).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var calls struct {
		Server struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		} `json:"server"`
		Client struct {
			DocumentSelector []struct {
				Scheme, Language string
			} `json:"documentSelector"`
		} `json:"client"`
		Started, Stopped bool
		Subscriptions    int
	}
	if err := json.Unmarshal(out, &calls); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if calls.Server.Command != "/opt/bin/resc" || !reflect.DeepEqual(calls.Server.Args, []string{"lsp"}) {
		t.Errorf("server: %+v", calls.Server)
	}
	if len(calls.Client.DocumentSelector) == 0 || calls.Client.DocumentSelector[0].Language != "res" {
		t.Errorf("documents: %+v", calls.Client.DocumentSelector)
	}
	if !calls.Started || !calls.Stopped || calls.Subscriptions != 1 {
		t.Errorf("lifecycle: %+v", calls)
	}
}
