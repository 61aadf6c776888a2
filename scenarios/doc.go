// Package scenarios holds the shipped scenario files. They are embedded, so
// that the simulate binary carries them wherever it runs: the validation
// suite reads its scenarios from here, not from the working directory.
package scenarios
