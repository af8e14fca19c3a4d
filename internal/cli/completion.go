package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

func init() {
	register(&command{
		name:  "completion",
		args:  "bash|zsh|fish",
		short: "print a shell completion script",
		long: `Completion prints a script that completes resc's commands, their flags
and stdlib model names in the given shell. Load it with:

  bash:  source <(resc completion bash)   (or save it in
         ~/.local/share/bash-completion/completions/resc)
  zsh:   source <(resc completion zsh)
  fish:  resc completion fish > ~/.config/fish/completions/resc.fish`,
		flags: func(fs *flag.FlagSet) any { return nil },
		run: func(c *ctx, _ any, args []string) error {
			shell, err := oneArg(args, "SHELL (bash, zsh or fish)")
			if err != nil {
				return err
			}
			switch shell {
			case "bash":
				writeBashCompletion(c.stdout)
			case "zsh":
				fmt.Fprint(c.stdout, "#compdef resc\nautoload -U +X bashcompinit && bashcompinit\n")
				writeBashCompletion(c.stdout)
			case "fish":
				writeFishCompletion(c.stdout)
			default:
				return usagef("unknown shell %q: want bash, zsh or fish", shell)
			}
			return nil
		},
	})
}

// commandFlags lists a command's flags, each as the command line spells
// it: "--name", or "-O0" and "-o" for the one-letter and -O flags.
func commandFlags(cmd *command) []string {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, flagSpelling(f.Name)) })
	return out
}

// flagSpelling is how help texts spell a flag: one dash for one letter
// and the -O levels, as compilers spell them; two for every other.
func flagSpelling(name string) string {
	if len(name) == 1 || strings.HasPrefix(name, "O") && len(name) == 2 {
		return "-" + name
	}
	return "--" + name
}

func sortedCommands() []*command {
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	return sorted
}

func writeBashCompletion(w io.Writer) {
	var names []string
	for _, c := range sortedCommands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for resc, from 'resc completion bash'.
_resc() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "%s help --help --version" -- "$cur"))
    return
  fi
  local flags=""
  case ${COMP_WORDS[1]} in
`, strings.Join(names, " "))
	for _, c := range sortedCommands() {
		fmt.Fprintf(w, "    %s) flags=%q ;;\n", c.name, strings.Join(commandFlags(c), " "))
	}
	fmt.Fprint(w, `    help) COMPREPLY=($(compgen -W "`+strings.Join(names, " ")+`" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    local models
    models=$(resc list --json 2>/dev/null | sed -n 's/.*"model": "\([^"]*\)".*/\1/p')
    COMPREPLY=($(compgen -W "$models" -- "$cur") $(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _resc resc
`)
}

func writeFishCompletion(w io.Writer) {
	fmt.Fprintln(w, "# fish completion for resc, from 'resc completion fish'.")
	var names []string
	for _, c := range sortedCommands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, "complete -c resc -n __fish_use_subcommand -f -a '%s'\n", strings.Join(names, " "))
	for _, c := range sortedCommands() {
		for _, f := range commandFlags(c) {
			if strings.HasPrefix(f, "--") {
				fmt.Fprintf(w, "complete -c resc -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, f[2:])
			} else {
				fmt.Fprintf(w, "complete -c resc -n '__fish_seen_subcommand_from %s' -o %s\n", c.name, f[1:])
			}
		}
	}
	fmt.Fprintln(w, "complete -c resc -n '__fish_seen_subcommand_from build run bench summary ir graph check weights' -a '(resc list --json 2>/dev/null | string match -r -g \"\\\"model\\\": \\\"([^\\\"]*)\\\"\")'")
}
