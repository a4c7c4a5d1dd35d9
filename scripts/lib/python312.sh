# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# Sourced by the scripts that need a Python 3.12 or newer (the official SDK and the benchmark peers need it).

# Whether $1 is a Python interpreter of version 3.12 or newer.
is_py312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' >/dev/null 2>&1; }

# Prints a Python >= 3.12: $PYTHON312, else a pyenv 3.12, else python3.12, python3.13 or python3 on PATH.
find_python312() {
    local candidate
    if [[ -n "${PYTHON312:-}" ]] && is_py312 "$PYTHON312"; then echo "$PYTHON312"; return; fi
    if command -v pyenv >/dev/null 2>&1; then
        local root; root="$(pyenv root)"
        for candidate in "$root"/versions/3.12*/bin/python3; do
            if [[ -x "$candidate" ]] && is_py312 "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    for candidate in python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_py312 "$(command -v "$candidate")"; then
            command -v "$candidate"; return
        fi
    done
    return 1
}

# Makes $1 a Python >= 3.12 virtualenv with the requirements file $2 installed, installing again when the file
# has changed since the last install. Returns non-zero, having said why on standard error, when it cannot.
ensure_py312_venv() {
    local venv="$1" requirements="$2" python stamp want
    if [[ ! -x "$venv/bin/python" ]] || ! is_py312 "$venv/bin/python"; then
        if ! python="$(find_python312)"; then
            echo "no Python >= 3.12 found (set PYTHON312=/path/to/python3.12)" >&2
            return 1
        fi
        echo "creating $venv with $python" >&2
        rm -rf "$venv"
        "$python" -m venv "$venv" || return 1
    fi
    stamp="$venv/.requirements.sha256"
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$want" ]]; then
        echo "installing $requirements into $venv" >&2
        "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" || return 1
        echo "$want" > "$stamp"
    fi
}
