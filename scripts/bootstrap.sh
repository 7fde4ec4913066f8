#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu checkout for what is asked, and nothing more:
#   scripts/bootstrap.sh run            the app (make run): .venv, translations, fonts and Pango for PDFs
#   scripts/bootstrap.sh test           + Chromium and poppler for the test suite (make test)
#   scripts/bootstrap.sh test-postgres  + the PostgreSQL server (make test-postgres, CI)
#   scripts/bootstrap.sh serve          the app + the PostgreSQL server (make serve, make load)
# As root it installs missing system packages, waiting for a package manager held by another process
# (an automatic update) instead of failing. As a normal user it installs nothing system-wide: for `run`
# it says which feature lacks which package and goes on; the test suite's packages are required.
# Idempotent and quick when everything is already there. A failed step names itself and its log.
set -euo pipefail
cd "$(dirname "$0")/.."

need=${1:-run}
case "$need" in run | test | test-postgres | serve) ;; *)
  echo "usage: $0 [run|test|test-postgres|serve]" >&2
  exit 2
  ;;
esac
PYTHON=${PYTHON:-python3}
LOCK_WAIT=${LOCK_WAIT:-600} # seconds to wait for a package manager held by another process
mkdir -p var
log=var/bootstrap.log

# Packages by feature: "package|what needs it (中文 / English)". Only the run set is needed to use the app.
RUN_PACKAGES=(
  "gettext|英文界面 / the English interface (the app stays in Chinese without it)"
  "fonts-noto-cjk|PDF 中文字体 / Chinese text in printed PDFs"
  "libpango-1.0-0|PDF 排版 / printed PDFs (WeasyPrint)"
  "libpangoft2-1.0-0|PDF 排版 / printed PDFs (WeasyPrint)"
  "libharfbuzz-subset0|PDF 字体嵌入 / fonts embedded in PDFs"
)
TEST_PACKAGES=("chromium|浏览器测试 / the browser tests" "poppler-utils|PDF 测试 / the PDF tests (pdftotext)")
POSTGRES_PACKAGES=("postgresql|PostgreSQL 测试 / the tests on PostgreSQL")

wanted=("${RUN_PACKAGES[@]}")
case "$need" in test | test-postgres) wanted+=("${TEST_PACKAGES[@]}") ;; esac
case "$need" in test-postgres | serve) wanted+=("${POSTGRES_PACKAGES[@]}") ;; esac

is_run_package() {
  local entry
  for entry in "${RUN_PACKAGES[@]}"; do [ "${entry%%|*}" = "$1" ] && return 0; done
  return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

fail() { # step name
  echo "步骤失败 / step failed: $1 — 详见 / see $log" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
}

wait_for_package_manager() {
  # apt waits for its own locks (DPkg::Lock::Timeout); say so first, so a long wait is not a hang.
  if command -v fuser >/dev/null 2>&1 && fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; then
    echo "软件包管理器正被其他进程占用（可能是自动更新），最多等待 ${LOCK_WAIT} 秒 / the package manager is busy (an automatic update?): waiting up to ${LOCK_WAIT} s"
  fi
}

missing=()
missing_what=()
for entry in "${wanted[@]}"; do
  pkg=${entry%%|*}
  installed "$pkg" || { missing+=("$pkg"); missing_what+=("${entry#*|}"); }
done
if ! "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
  missing+=(python3-venv)
  missing_what+=("Python 虚拟环境 / the Python virtual environment (required)")
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包 / installing system packages: ${missing[*]}"
    wait_for_package_manager
    apt_options=(-o "DPkg::Lock::Timeout=$LOCK_WAIT" -o "APT::Get::Lock::Timeout=$LOCK_WAIT")
    apt-get "${apt_options[@]}" update -qq >"$log" 2>&1 || fail "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y -qq --no-install-recommends \
      "${missing[@]}" >>"$log" 2>&1 || fail "apt-get install ${missing[*]}"
  else
    required=()
    for i in "${!missing[@]}"; do
      pkg=${missing[$i]}
      if [ "$pkg" = python3-venv ] || [ "$need" != run ] || ! is_run_package "$pkg"; then
        required+=("$pkg")
      else
        echo "提示 / note: ${missing_what[$i]} 需要 / needs: $pkg"
      fi
    done
    if [ ${#required[@]} -gt 0 ]; then
      echo "缺少必需的系统软件包，请以 root 安装 / missing required system packages; as root run:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y ${required[*]}" >&2
      exit 1
    fi
    echo "（以 root 安装上述软件包即可启用相应功能 / install them as root to enable those features: sudo apt-get install -y ${missing[*]})"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv >>"$log" 2>&1 || fail "python3 -m venv .venv"
fi
if [ ! -f .venv/.installed ] || [ requirements.txt -nt .venv/.installed ]; then
  echo "安装 Python 依赖 / installing the Python packages (requirements.txt)"
  .venv/bin/pip install -q --upgrade pip >>"$log" 2>&1 || fail "pip install --upgrade pip"
  .venv/bin/pip install -q -r requirements.txt >>"$log" 2>&1 || fail "pip install -r requirements.txt"
  touch .venv/.installed
fi

# Compile translations when a catalogue changed since the last compile (needs gettext's msgfmt).
if command -v msgfmt >/dev/null 2>&1; then
  for po in locale/*/LC_MESSAGES/*.po qicai/locale/*/LC_MESSAGES/*.po; do
    [ -f "$po" ] || continue
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
      DEBUG=1 .venv/bin/python manage.py compilemessages -v0 --ignore=.venv >>"$log" 2>&1 || fail "compilemessages"
      break
    fi
  done
fi
