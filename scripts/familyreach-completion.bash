# Bash completion for `familyreach`: groups, their commands, and each command's options.
# Load it in ~/.bashrc (`. /path/to/familyreach/scripts/familyreach-completion.bash`) with the
# project's .venv/bin on PATH. It speaks Django's own completion protocol, as Django's
# extras/django_bash_completion does for manage.py; src/familyreach/cli.py answers it.
_familyreach_completion() {
    COMPREPLY=( $( COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   DJANGO_AUTO_COMPLETE=1 "$1" 2>/dev/null ) )
}
complete -F _familyreach_completion -o default familyreach
