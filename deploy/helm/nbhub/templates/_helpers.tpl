{{/* Object names: <release>-<chart>, or the release name when it already contains the chart's name. */}}
{{- define "nbhub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nbhub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels: nbhub's own (src/kube/labels.ts: name and managed-by always "nbhub", component, instance) plus
helm.sh/chart. Call with (dict "root" $ "component" "hub").
*/}}
{{- define "nbhub.selectorLabels" -}}
app.kubernetes.io/name: nbhub
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "nbhub.labels" -}}
{{ include "nbhub.selectorLabels" . }}
app.kubernetes.io/managed-by: nbhub
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nbhub.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "nbhub.runtimeNamespace" -}}
{{ .Values.runtimes.namespace | default .Release.Namespace }}
{{- end }}

{{- define "nbhub.hubServiceAccount" -}}
{{- if .Values.serviceAccount.create }}{{ .Values.serviceAccount.name | default (printf "%s-hub" (include "nbhub.fullname" .)) }}{{ else }}{{ required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "nbhub.agentServiceAccount" -}}
{{- if .Values.agent.serviceAccount.create }}{{ .Values.agent.serviceAccount.name | default (printf "%s-agent" (include "nbhub.fullname" .)) }}{{ else }}{{ required "agent.serviceAccount.name is required when agent.serviceAccount.create is false" .Values.agent.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "nbhub.tokensSecret" -}}
{{ .Values.tokens.existingSecret | default (printf "%s-tokens" (include "nbhub.fullname" .)) }}
{{- end }}

{{- define "nbhub.databaseSecret" -}}
{{ .Values.database.existingSecret | default (printf "%s-database" (include "nbhub.fullname" .)) }}
{{- end }}

{{- define "nbhub.databaseSecretKey" -}}
{{ if .Values.database.existingSecret }}{{ .Values.database.existingSecretKey }}{{ else }}database-url{{ end }}
{{- end }}

{{/* Where the agents reach the hub: its Service, by cluster DNS. */}}
{{- define "nbhub.hubUrl" -}}
http://{{ include "nbhub.fullname" . }}.{{ .Release.Namespace }}.svc:{{ .Values.hub.service.port }}
{{- end }}

{{/*
The hub's config file: .Values.config with the spawner set to kubernetes in the runtimes' namespace, and the
role that lets the Prometheus token read metrics. `services` go through the environment (deployment.yaml), so
they are left out here.
*/}}
{{- define "nbhub.hubConfig" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- $spawner := get $config "spawner" }}
{{- if not (kindIs "map" $spawner) }}{{ $spawner = dict }}{{ end }}
{{- $_ := set $spawner "kind" "kubernetes" }}
{{- $_ := set $config "spawner" $spawner }}
{{- $kube := get $config "kubernetes" | default dict }}
{{- $_ := set $kube "namespace" (include "nbhub.runtimeNamespace" .) }}
{{- $_ := set $config "kubernetes" $kube }}
{{- $_ := set $config "port" (int .Values.hub.port) }}
{{- $_ := set $config "data_dir" "/var/lib/nbhub" }}
{{- $_ := unset $config "services" }}
{{- $auth := get $config "auth" | default dict }}
{{- $roles := get $auth "roles" | default list }}
{{- $roles = append $roles (dict "name" "nbhub-metrics" "description" "Reads /hub/metrics (the chart's Prometheus token)" "scopes" (list "read:metrics") "services" (list "nbhub-prometheus")) }}
{{- $_ := set $auth "roles" $roles }}
{{- $_ := set $config "auth" $auth }}
{{- toYaml $config }}
{{- end }}

{{/* Every image runtimes use, once each, sorted: what the image puller keeps on every node. */}}
{{- define "nbhub.runtimeImages" -}}
{{- $images := list }}
{{- $config := .Values.config | default dict }}
{{- $kube := $config.kubernetes | default dict }}
{{- $images = append $images ($kube.image | default .Values.prePuller.defaultRuntimeImage) }}
{{- range $name, $profile := ($config.profiles | default dict) }}
{{- with $profile }}{{ with .kubernetes }}{{ with .image }}{{ $images = append $images . }}{{ end }}{{ end }}{{ end }}
{{- end }}
{{- range .Values.prePuller.extraImages }}{{ $images = append $images . }}{{ end }}
{{- toJson (sortAlpha (uniq $images)) }}
{{- end }}
