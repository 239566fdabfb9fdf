{{/* Chart name, at most 63 characters. */}}
{{- define "knoe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: fullnameOverride, else the release name. */}}
{{- define "knoe.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 57 | trimSuffix "-" }}
{{- end }}

{{- define "knoe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "knoe.labels" -}}
helm.sh/chart: {{ include "knoe.chart" . }}
{{ include "knoe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: knoe
{{- end }}

{{/* Labels that select the control plane pods. */}}
{{- define "knoe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "knoe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end }}

{{/* Namespace of endpoints (KNOE_NAMESPACE). */}}
{{- define "knoe.endpointsNamespace" -}}
{{- default .Release.Namespace .Values.endpointsNamespace }}
{{- end }}

{{- define "knoe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "knoe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "knoe.adminSecretName" -}}
{{- default (printf "%s-admin" (include "knoe.fullname" .)) .Values.adminKey.existingSecret }}
{{- end }}

{{- define "knoe.claimName" -}}
{{- default (printf "%s-data" (include "knoe.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* registry/repository:tag, the tag defaulting to appVersion. Args: dict image, registry, appVersion. */}}
{{- define "knoe.imageRef" -}}
{{- $registry := default .registry .image.registry -}}
{{- $tag := default .appVersion .image.tag -}}
{{- if $registry }}{{ printf "%s/%s:%s" $registry .image.repository $tag }}{{ else }}{{ printf "%s:%s" .image.repository $tag }}{{ end }}
{{- end }}

{{- define "knoe.image" -}}
{{- include "knoe.imageRef" (dict "image" .Values.image "registry" "" "appVersion" .Chart.AppVersion) }}
{{- end }}

{{- define "knoe.scoringImage" -}}
{{- include "knoe.imageRef" (dict "image" .Values.scoringImage "registry" .Values.image.registry "appVersion" .Chart.AppVersion) }}
{{- end }}

{{/* The same repository, tag gpuTag; default appVersion-cuda, or the scoring tag itself when one is set (a custom image is the user's). */}}
{{- define "knoe.gpuScoringImage" -}}
{{- $tag := default (default (printf "%s-cuda" .Chart.AppVersion) .Values.scoringImage.tag) .Values.scoringImage.gpuTag -}}
{{- $image := dict "registry" .Values.scoringImage.registry "repository" .Values.scoringImage.repository "tag" $tag -}}
{{- include "knoe.imageRef" (dict "image" $image "registry" .Values.image.registry "appVersion" .Chart.AppVersion) }}
{{- end }}
