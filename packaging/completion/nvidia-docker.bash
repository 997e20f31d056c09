# bash completion for nvidia-docker: the words of docker's own completion.
# docker's completion calls the program it completes for (`nvidia-docker
# __complete …`), which nvidia-docker hands to docker untouched.
_nvidia_docker() {
    if ! declare -F __start_docker >/dev/null && ! declare -F _docker >/dev/null; then
        if declare -F _completion_loader >/dev/null; then
            _completion_loader docker
        elif [ -r /usr/share/bash-completion/completions/docker ]; then
            . /usr/share/bash-completion/completions/docker
        fi
    fi
    if declare -F __start_docker >/dev/null; then
        __start_docker "$@"
    elif declare -F _docker >/dev/null; then
        _docker "$@"
    else
        local word=${COMP_WORDS[COMP_CWORD]}
        COMPREPLY=($(compgen -W "run create container images ps pull version" -- "$word"))
    fi
}
complete -o default -F _nvidia_docker nvidia-docker
