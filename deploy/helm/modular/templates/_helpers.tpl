{{- define "modular.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "modular.headless" -}}
{{- printf "%s-headless" (include "modular.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "modular.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "modular.labels" -}}
{{ include "modular.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The headless Service's DNS domain: every pod is <pod>.<this>. */}}
{{- define "modular.peerDomain" -}}
{{- printf "%s.%s.svc.cluster.local" (include "modular.headless" .) .Release.Namespace -}}
{{- end -}}

{{/* The lame duck duration in seconds: terminationGracePeriodSeconds must cover it. */}}
{{- define "modular.seconds" -}}
{{- $d := toString . -}}
{{- if hasSuffix "m" $d -}}{{ mul (trimSuffix "m" $d | int) 60 }}{{- else if hasSuffix "s" $d -}}{{ trimSuffix "s" $d | int }}{{- else -}}{{ fail (printf "durations in values are whole seconds or minutes (\"30s\", \"2m\"), got %q" $d) }}{{- end -}}
{{- end -}}

{{/* The bundled plugins this configuration uses. */}}
{{- define "modular.plugins" -}}
{{- $p := list -}}
{{- if .Values.tls.enabled }}{{ $p = append $p "tls" }}{{ end -}}
{{- if and .Values.cluster.enabled .Values.routeAuth.enabled }}{{ $p = append $p "bcrypt" }}{{ end -}}
{{- if and .Values.cluster.enabled .Values.compression.enabled }}{{ $p = append $p "s2" }}{{ end -}}
{{- if and .Values.cluster.enabled .Values.discovery.type }}{{ $p = append $p .Values.discovery.type }}{{ end -}}
{{- if and .Values.cluster.enabled .Values.pinning.accounts }}{{ $p = append $p "pinning" }}{{ end -}}
{{- toJson $p -}}
{{- end -}}

{{/* One server's TOML file; . is a dict with root (the chart's context) and pod (the pod's name). */}}
{{- define "modular.config" -}}
{{- $ := .root -}}
{{- $v := $.Values -}}
{{- $domain := include "modular.peerDomain" $ -}}
# {{ .pod }}: rendered by the {{ $.Chart.Name }} chart; every key: docs/configuration.md
plugins = {{ include "modular.plugins" $ }}

[server]
name = {{ .pod | quote }}
listen = "0.0.0.0:4222"
max_payload = {{ $v.config.maxPayload | quote }}
lame_duck_duration = {{ $v.config.lameDuckDuration | quote }}
lame_duck_grace_period = {{ $v.config.lameDuckGracePeriod | quote }}
{{- if and $v.tls.enabled $v.tls.clients }}

[server.tls]
use = "tls"
cert_file = "/etc/modular/tls/tls.crt"
key_file = "/etc/modular/tls/tls.key"
{{- end }}

[monitor]
listen = "0.0.0.0:{{ $v.monitoring.port }}"

[log]
level = {{ $v.config.logLevel | quote }}
{{- range $name, $users := $v.accounts }}

[accounts.{{ $name }}]
users = [
{{- range $i, $u := $users }}{{ if $i }},{{ end }} { user = {{ $u.user | quote }}, password = {{ $u.password | quote }} }{{ end }} ]
{{- end }}
{{- if $v.cluster.enabled }}

[cluster]
name = {{ default $.Release.Name $v.cluster.name | quote }}
listen = "0.0.0.0:6222"
advertise = "{{ .pod }}.{{ $domain }}:6222"
pool_size = {{ $v.cluster.poolSize }}
routes = [
{{- $credentials := "" -}}
{{- if $v.routeAuth.enabled }}{{ $credentials = printf "%s:%s@" (urlquery $v.routeAuth.user) (urlquery (required "routeAuth.password is required when routeAuth is enabled" $v.routeAuth.password)) }}{{ end -}}
{{- range $i, $e := until (int $v.cluster.replicas) }}
  "nats-route://{{ $credentials }}{{ include "modular.fullname" $ }}-{{ $i }}.{{ $domain }}:6222",
{{- end }}
]
{{- if $v.tls.enabled }}

[cluster.tls]
use = "tls"
cert_file = "/etc/modular/tls/tls.crt"
key_file = "/etc/modular/tls/tls.key"
ca_file = "/etc/modular/tls/ca.crt"
verify = {{ $v.tls.verify }}
{{- end }}
{{- if $v.routeAuth.enabled }}

[cluster.auth]
use = "bcrypt"
user = {{ $v.routeAuth.user | quote }}
password = {{ required "routeAuth.passwordHash (modular passwd) is required when routeAuth is enabled" $v.routeAuth.passwordHash | quote }}
{{- end }}
{{- if $v.compression.enabled }}

[cluster.compression]
use = "s2"
mode = {{ $v.compression.mode | quote }}
{{- end }}
{{- if eq $v.discovery.type "dns" }}

[cluster.discovery]
use = "dns"
name = {{ $domain | quote }}
port = 6222
interval = {{ $v.discovery.interval | quote }}
{{- else if eq $v.discovery.type "gossip" }}

[cluster.discovery]
use = "gossip"
seeds = [ "{{ $domain }}:6222" ]
reresolve_interval = {{ $v.discovery.interval | quote }}
{{- else if $v.discovery.type }}
{{- fail (printf "discovery.type is \"\", \"dns\" or \"gossip\", not %q" $v.discovery.type) }}
{{- end }}
{{- if $v.pinning.accounts }}

[cluster.pinning]
use = "pinning"
accounts = {{ toJson $v.pinning.accounts }}
{{- end }}
{{- end }}
{{- with $v.config.extra }}

{{ . }}
{{- end }}
{{- end -}}
