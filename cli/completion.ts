// Shell completion scripts generated from the command tree (commands, subcommands, flags) and
// the resource names of api/'s registry. The generators are pure text functions.
import type { Command } from 'commander';

export interface CompletionNode {
  readonly name: string;
  readonly description: string;
  /** Every flag spelling: --output, -o. */
  readonly flags: readonly string[];
  /** Flags that take a value (the next word is not a command or a resource). */
  readonly valueFlags: readonly string[];
  /** The first argument is a resource type. */
  readonly takesResource: boolean;
  readonly subcommands: readonly CompletionNode[];
}

export function completionTree(command: Command): CompletionNode {
  const options = command.options.filter((o) => !o.hidden);
  const spell = (o: (typeof options)[number]): string[] => [o.long, o.short].filter((s): s is string => s !== undefined);
  return {
    name: command.name(),
    description: command.description(),
    flags: [...options.flatMap(spell), '--help'],
    valueFlags: options.filter((o) => o.required || o.optional).flatMap(spell),
    takesResource: command.registeredArguments[0]?.name() === 'resource',
    subcommands: command.commands.filter((c) => c.name() !== 'help').map(completionTree),
  };
}

const words = (list: readonly string[]): string => [...new Set(list)].join(' ');

/** Names each command level sees: `config view`'s flags, `get`'s flags plus the global ones. */
function byPath(root: CompletionNode): { path: string; node: CompletionNode }[] {
  const out: { path: string; node: CompletionNode }[] = [];
  const walk = (node: CompletionNode, path: string[]): void => {
    for (const sub of node.subcommands) {
      const p = [...path, sub.name];
      out.push({ path: p.join(' '), node: sub });
      walk(sub, p);
    }
  };
  walk(root, []);
  return out;
}

function allValueFlags(root: CompletionNode): string[] {
  return [...root.valueFlags, ...byPath(root).flatMap((e) => e.node.valueFlags)];
}

export function bashCompletion(root: CompletionNode, resources: readonly string[]): string {
  const name = root.name;
  const cases = byPath(root)
    .map(({ path, node }) => {
      const subs = node.subcommands.map((s) => s.name);
      return `    "${path}")
      flags="${words([...node.flags, ...root.flags])}"
      subs="${words(subs)}"
      takes_resource=${node.takesResource ? 1 : 0}
      ;;`;
    })
    .join('\n');
  return `# bash completion for ${name}; load with: source <(${name} completion bash)
_${name}() {
  COMPREPLY=()
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local value_flags=" ${words(allValueFlags(root))} "
  local resources="${words(resources)}"
  local cmdpath="" args=0 i w skip=0
  for ((i=1; i<COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      --*=*) ;;
      -*) [[ "$value_flags" == *" $w "* ]] && skip=1 ;;
      *)
        local next="\${cmdpath:+$cmdpath }$w"
        if [[ $args -eq 0 ]] && _${name}_known "$next"; then cmdpath="$next"; else args=$((args+1)); fi
        ;;
    esac
  done
  if [[ "$value_flags" == *" $prev "* ]]; then
    case "$prev" in
      -o|--output) COMPREPLY=($(compgen -W "wide yaml json name" -- "$cur")) ;;
      *) COMPREPLY=() ;;
    esac
    return
  fi
  local flags subs takes_resource=0
  case "$cmdpath" in
    "")
      flags="${words(root.flags)}"
      subs="${words(root.subcommands.map((s) => s.name))}"
      ;;
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$subs" && $args -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif [[ $takes_resource -eq 1 && $args -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$resources" -- "$cur"))
  fi
}
_${name}_known() {
  case "$1" in
    ${byPath(root).map((e) => `"${e.path}"`).join('|') || '""'}) return 0 ;;
  esac
  return 1
}
complete -F _${name} ${name}
`;
}

const zshQuote = (s: string): string => s.replace(/'/g, "'\\''").replace(/:/g, '\\:');

export function zshCompletion(root: CompletionNode, resources: readonly string[]): string {
  const name = root.name;
  const described = (nodes: readonly CompletionNode[]): string => nodes.map((n) => `'${n.name}:${zshQuote(n.description)}'`).join(' ');
  const cases = byPath(root)
    .map(({ path, node }) => `    "${path}") flags=(${words([...node.flags, ...root.flags])}); subs=(${described(node.subcommands)}); takes_resource=${node.takesResource ? 1 : 0} ;;`)
    .join('\n');
  return `#compdef ${name}
# zsh completion for ${name}; load with: source <(${name} completion zsh)
_${name}() {
  local -a value_flags resources flags subs known
  value_flags=(${words(allValueFlags(root))})
  resources=(${words(resources)})
  known=(${byPath(root).map((e) => `'${e.path}'`).join(' ')})
  local cmdpath="" args=0 skip=0 takes_resource=0 i w
  for ((i=2; i<CURRENT; i++)); do
    w=\${words[i]}
    if ((skip)); then skip=0; continue; fi
    case $w in
      --*=*) ;;
      -*) (( \${value_flags[(Ie)$w]} )) && skip=1 ;;
      *)
        local next="\${cmdpath:+$cmdpath }$w"
        if (( args == 0 && \${known[(Ie)$next]} )); then cmdpath=$next; else args=$((args+1)); fi
        ;;
    esac
  done
  if (( \${value_flags[(Ie)\${words[CURRENT-1]}]} )); then
    case \${words[CURRENT-1]} in
      -o|--output) compadd -- wide yaml json name ;;
    esac
    return
  fi
  case $cmdpath in
    "") flags=(${words(root.flags)}); subs=(${described(root.subcommands)}) ;;
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
  elif (( \${#subs} > 0 && args == 0 )); then
    _describe 'command' subs
  elif (( takes_resource && args == 0 )); then
    compadd -- $resources
  fi
}
if [[ $funcstack[1] == _${name} ]]; then _${name} "$@"; else compdef _${name} ${name}; fi
`;
}
