// Package autoscale is the scaling rule of the Kubernetes Horizontal Pod
// Autoscaler, with a cool-down. Every decision interval the engine measures
// a metric averaged per instance and asks a Scaler how many instances it
// wants:
//
//	desired = ceil(current × metric / target)
//
// unchanged while metric/target is within the tolerance of 1 (the HPA's
// default is 0.1), clamped to [min, max], and held at current within the
// cool-down of the last change. See
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details.
// A Scaler knows nothing of time beyond the instants it is given, so its
// decisions are a pure function of their inputs.
package autoscale
