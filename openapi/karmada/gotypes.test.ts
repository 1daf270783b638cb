import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goTypeSchema, parseGoTypes, resourceMarkers } from './gotypes.js';

const source = `package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +genclient
// +kubebuilder:resource:scope="Cluster"
// +kubebuilder:subresource:status

// Thing is a thing.
type Thing struct {
	metav1.TypeMeta   \`json:",inline"\`
	metav1.ObjectMeta \`json:"metadata,omitempty"\`

	// Spec is required: no omitempty, no +optional.
	Spec ThingSpec \`json:"spec"\`

	// +optional
	Status ThingStatus \`json:"status,omitempty"\`
}

type ThingSpec struct {
	// +kubebuilder:validation:Enum=Push;Pull
	// +required
	Mode Mode \`json:"mode"\`

	// Optional by its marker although it has no omitempty.
	// +optional
	Count int32 \`json:"count"\`

	// Misspelt markers are not controller-gen's and change nothing.
	// +kubebuilder:validation:Maxlength=10
	ID string \`json:"id,omitempty"\`

	Labels map[string]string \`json:"labels,omitempty"\`
	Ref *Ref \`json:"ref,omitempty"\`
	Taints []corev1.Taint \`json:"taints,omitempty"\`
	Ignored string \`json:"-"\`
}

// Mode is a string type; its marker applies wherever it is used.
// +kubebuilder:validation:MinLength=1
type Mode string

type Ref struct {
	Name string \`json:"name"\`
	Size resource.Quantity \`json:"size,omitempty"\`
}

type ThingStatus struct {
	Conditions []metav1.Condition \`json:"conditions,omitempty"\`
}
`;

test('Go types become the schema controller-gen would write', () => {
  const types = parseGoTypes(source.replace('// +kubebuilder:validation:MinLength=1\n', ''));
  const schema = goTypeSchema(types, 'Thing') as any;
  assert.deepEqual(Object.keys(schema.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(schema.required, ['spec']);
  assert.deepEqual(schema.properties.metadata, { type: 'object' });
  const spec = schema.properties.spec;
  assert.deepEqual(spec.required, ['mode']);
  assert.deepEqual(spec.properties.mode, { type: 'string', enum: ['Push', 'Pull'] });
  assert.deepEqual(spec.properties.count, { type: 'integer', format: 'int32' });
  assert.deepEqual(spec.properties.id, { type: 'string' });
  assert.deepEqual(spec.properties.labels, { type: 'object', additionalProperties: { type: 'string' } });
  assert.equal(spec.properties.ignored, undefined);
  assert.deepEqual(spec.properties.ref.required, ['name']);
  assert.equal(spec.properties.ref.properties.size['x-kubernetes-int-or-string'], true);
  assert.deepEqual(spec.properties.taints.items.required, ['effect', 'key']);
  assert.deepEqual(schema.properties.status.properties.conditions.items.properties.status.enum, ['True', 'False', 'Unknown']);
  assert.deepEqual(resourceMarkers(types, 'Thing'), { scope: 'Cluster', status: true });
});

test('a controller-gen marker the translator does not implement fails', () => {
  assert.throws(() => goTypeSchema(parseGoTypes(source), 'Thing'), /\+kubebuilder:validation:MinLength=1 is not supported/);
});

test('a Go type it does not know fails', () => {
  const types = parseGoTypes('type A struct {\n\tB float64 `json:"b"`\n}\n');
  assert.throws(() => goTypeSchema(types, 'A'), /unknown Go type float64/);
});
