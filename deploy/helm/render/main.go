// Command render renders a Helm chart the way `helm template` does, for checking the chart where
// no helm binary can be had: Go text/template with sprig and Helm's own functions (include, tpl,
// toYaml, fromYaml, toJson, required, fail), values from values.yaml merged with -f files, and
// .Values, .Release, .Chart, .Capabilities. Not a Helm: no dependencies, hooks or lookup.
//
//	render [-f values.yaml]... [-name NAME] [-namespace NS] [-json] CHART_DIR
//
// Output: the manifests as YAML documents, each headed by "# Source: NAME/templates/FILE", or with
// -json one JSON array of {"source": ..., "manifest": {...}} for a checker to read.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	var files valueFiles
	flag.Var(&files, "f", "values file merged over the chart's values.yaml (repeatable)")
	name := flag.String("name", "modular", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	asJSON := flag.Bool("json", false, "print a JSON array of the manifests")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: render [-f values.yaml]... [-name NAME] [-namespace NS] [-json] CHART_DIR")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), files, *name, *namespace, *asJSON)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render: "+err.Error())
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

func render(chartDir string, files []string, name, namespace string, asJSON bool) ([]byte, error) {
	chart, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		override, err := readYAML(f)
		if err != nil {
			return nil, err
		}
		values = merge(values, override)
	}
	chartName := fmt.Sprint(chart["name"])
	data := map[string]interface{}{
		"Values":       values,
		"Release":      map[string]interface{}{"Name": name, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Chart":        map[string]interface{}{"Name": chartName, "Version": chart["version"], "AppVersion": chart["appVersion"], "Description": chart["description"]},
		"Capabilities": map[string]interface{}{"APIVersions": []string{"monitoring.coreos.com/v1", "policy/v1"}, "KubeVersion": map[string]interface{}{"Version": "v1.28.0", "Major": "1", "Minor": "28"}},
		"Template":     map[string]interface{}{"BasePath": chartName + "/templates"},
	}

	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var b bytes.Buffer
		err := root.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		err = t.Execute(&b, data)
		return b.String(), err
	}
	funcs["toYaml"] = func(v interface{}) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, errors.New(message)
		}
		return v, nil
	}
	funcs["fail"] = func(message string) (string, error) { return "", errors.New(message) }
	root.Funcs(funcs).Option("missingkey=zero")

	templates, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(templates)
	for _, path := range templates {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if _, err := root.New(chartName + "/templates/" + filepath.Base(path)).Parse(string(text)); err != nil {
			return nil, err
		}
	}

	var yamlOut bytes.Buffer
	var manifests []map[string]interface{}
	for _, path := range templates {
		base := filepath.Base(path)
		if strings.HasPrefix(base, "_") || !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
			continue
		}
		source := chartName + "/templates/" + base
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, source, data); err != nil {
			return nil, err
		}
		text := strings.ReplaceAll(b.String(), "<no value>", "")
		for _, doc := range strings.Split(text, "\n---") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			manifest := map[string]interface{}{}
			if err := yaml.Unmarshal([]byte(doc), &manifest); err != nil {
				return nil, fmt.Errorf("%s: not YAML: %v\n%s", source, err, doc)
			}
			if len(manifest) == 0 {
				continue // only comments
			}
			fmt.Fprintf(&yamlOut, "---\n# Source: %s\n%s\n", source, strings.TrimSpace(doc))
			manifests = append(manifests, map[string]interface{}{"source": source, "manifest": manifest})
		}
	}
	if asJSON {
		return json.MarshalIndent(manifests, "", "  ")
	}
	return yamlOut.Bytes(), nil
}

func readYAML(path string) (map[string]interface{}, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(text, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// merge lays override over base as Helm does: tables merge key by key, anything else replaces.
func merge(base, override map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if ov, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k].(map[string]interface{}); ok {
				out[k] = merge(bv, ov)
				continue
			}
		}
		out[k] = v
	}
	return out
}
