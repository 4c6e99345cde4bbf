# A small reimplementation of OpenWrt's init-script shell API, named as such,
# for testing a procd init script off a router. It follows the documented
# behaviour of openwrt/openwrt's package/base-files/files/lib/functions.sh
# (config, option, config_load, config_get, config_get_bool, get_bool,
# config_foreach, user_exists), of package/system/procd/files/procd.sh
# (procd_open_instance, procd_set_param, procd_append_param,
# procd_close_instance, procd_add_reload_trigger) and of rc.common's start
# (procd_open_service, start_service, service_triggers, procd_close_service),
# but records what the script asks of procd instead of sending it over ubus:
#
#   $SHIM_PROCD   one line per call:  instance NAME | set TYPE 'arg'... |
#                 append TYPE 'arg'... | close | trigger config.change PKG |
#                 service NAME | service-close
#   $SHIM_LOGREAD what logger sent to syslog: "PRIORITY TAG: message"
#
# Differences from OpenWrt, all deliberate: config_load sources
# $SHIM_CONFIG_DIR/NAME (a UCI file in `uci export` form, which is shell
# syntax; OpenWrt evaluates `uci export NAME`), user_exists reads
# $SHIM_ROOT/etc/passwd (OpenWrt: $IPKG_INSTROOT/etc/passwd), and logger
# writes to $SHIM_LOGREAD (OpenWrt: syslog, read with logread).

# ---- UCI, as lib/functions.sh --------------------------------------------
config() {
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	CONFIG_SECTION="${2:-cfg$CONFIG_NUM_SECTIONS}"
	CONFIG_SECTIONS="${CONFIG_SECTIONS:+$CONFIG_SECTIONS }$CONFIG_SECTION"
	config_set "$CONFIG_SECTION" TYPE "$1"
}

option() {
	_shim_name="$1"
	shift
	config_set "$CONFIG_SECTION" "$_shim_name" "$*"
}

config_set() {
	eval "CONFIG_${1}_${2}=\$3"
}

config_load() {
	# Forget the previous file's sections, then read this one.
	for _shim_s in $CONFIG_SECTIONS; do
		eval "unset \$(set | sed -n 's/^\(CONFIG_${_shim_s}_[A-Za-z0-9_]*\)=.*/\1/p')"
	done
	CONFIG_SECTIONS=
	CONFIG_NUM_SECTIONS=0
	CONFIG_SECTION=
	[ -f "$SHIM_CONFIG_DIR/$1" ] || return 0
	# shellcheck source=/dev/null
	. "$SHIM_CONFIG_DIR/$1"
}

# config_get VAR SECTION OPTION [DEFAULT]   or   config_get SECTION OPTION
# (prints). A name with characters other than [A-Za-z0-9_] is ignored.
config_get() {
	case "$2${3:-$1}" in
	*[!A-Za-z0-9_]*) return 0 ;;
	esac
	if [ -z "$3" ]; then
		eval "printf '%s\n' \"\${CONFIG_${1}_${2}:-\${4}}\""
	else
		eval "$1=\${CONFIG_${2}_${3}:-\${4}}"
	fi
}

get_bool() {
	case "$1" in
	1 | on | true | yes | enabled) printf 1 ;;
	0 | off | false | no | disabled) printf 0 ;;
	*) printf '%s' "$2" ;;
	esac
}

config_get_bool() {
	config_get _shim_b "$2" "$3" "$4"
	eval "$1=\$(get_bool \"\$_shim_b\" \"\$4\")"
}

# config_foreach FUNCTION [TYPE] [ARG...]: FUNCTION SECTION ARG... for each
# section (of that type), in file order.
config_foreach() {
	_shim_fn="$1"
	[ "$#" -ge 1 ] && shift
	_shim_type="$1"
	[ "$#" -ge 1 ] && shift
	for _shim_sec in $CONFIG_SECTIONS; do
		config_get _shim_t "$_shim_sec" TYPE
		[ -n "$_shim_type" ] && [ "$_shim_t" != "$_shim_type" ] && continue
		"$_shim_fn" "$_shim_sec" "$@"
	done
}

user_exists() {
	grep -qs "^${1}:" "$SHIM_ROOT/etc/passwd"
}

# ---- syslog -----------------------------------------------------------------
logger() {
	_shim_tag='logger'
	_shim_prio=user.notice
	while [ "$#" -gt 0 ]; do
		case "$1" in
		-t) _shim_tag="$2"; shift 2 ;;
		-p) _shim_prio="$2"; shift 2 ;;
		-*) shift ;;
		*) break ;;
		esac
	done
	printf '%s %s: %s\n' "$_shim_prio" "$_shim_tag" "$*" >> "$SHIM_LOGREAD"
}

# ---- procd, recorded ---------------------------------------------------------
_shim_record() {
	_shim_line="$1"
	shift
	for _shim_a in "$@"; do
		# Single-quoted, a quote inside as '\'' (shlex reads it back).
		_shim_q=$(printf '%s' "$_shim_a" | sed "s/'/'\\\\''/g")
		_shim_line="$_shim_line '$_shim_q'"
	done
	printf '%s\n' "$_shim_line" >> "$SHIM_PROCD"
}

procd_open_service() { _shim_record service "$1"; }
procd_close_service() { service_triggers; _shim_record service-close; }
procd_open_instance() {
	_SHIM_SEQ=$((${_SHIM_SEQ:-0} + 1))
	_shim_record instance "${1:-instance$_SHIM_SEQ}"
}
procd_set_param() { _shim_t="$1"; shift; _shim_record "set $_shim_t" "$@"; }
procd_append_param() { _shim_t="$1"; shift; _shim_record "append $_shim_t" "$@"; }
procd_close_instance() { _shim_record close; }
procd_add_reload_trigger() {
	for _shim_f in "$@"; do
		_shim_record "trigger config.change" "$_shim_f"
	done
}

# rc.common's defaults, which the init script overrides.
start_service() { return 0; }
service_triggers() { return 0; }

# shim_start INITSCRIPT: what `/etc/init.d/NAME start` does with USE_PROCD.
shim_start() {
	# shellcheck source=/dev/null
	. "$1"
	procd_open_service "$(basename "$1")"
	start_service
	procd_close_service
}
