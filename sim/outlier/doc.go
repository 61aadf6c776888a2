// Package outlier is Envoy's outlier detection by consecutive 5xx: a host
// whose consecutive failures reach the threshold is ejected from its load
// balancer for base_ejection_time times the number of times it has been
// ejected (capped), unless that would eject more than max_ejection_percent
// of the hosts; ejected hosts return, and healthy ones are forgiven one
// ejection, at each interval sweep.
package outlier
