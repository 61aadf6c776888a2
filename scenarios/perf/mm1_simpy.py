"""M/M/1 at 50% load in SimPy, the same model as scenarios/validation/mm1.toml,
for comparing speed: /usr/bin/python3 scenarios/perf/mm1_simpy.py [customers].

Debian packages SimPy 2.3 (apt-get install python3-simpy; PyPI is not
reachable here), whose API is SimPy.Simulation. It prints customers per
second of wall time and the mean time in system (theory: 2ms)."""
import random
import sys
import time

from SimPy.Simulation import (Process, Resource, activate, hold, initialize,
                              now, release, request, simulate)

LAMBDA, MU = 500.0, 1000.0


class Customer(Process):
    total = 0.0
    served = 0

    def visit(self, server):
        arrived = now()
        yield request, self, server
        yield hold, self, random.expovariate(MU)
        yield release, self, server
        Customer.total += now() - arrived
        Customer.served += 1


class Source(Process):
    def generate(self, n, server):
        for _ in range(n):
            c = Customer()
            activate(c, c.visit(server))
            yield hold, self, random.expovariate(LAMBDA)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    random.seed(1)
    initialize()
    server = Resource(capacity=1)
    src = Source()
    activate(src, src.generate(n, server))
    start = time.perf_counter()
    simulate(until=n / LAMBDA * 2)
    wall = time.perf_counter() - start
    print(f"SimPy 2.3 M/M/1: {Customer.served} customers in {wall:.2f}s: "
          f"{Customer.served / wall:,.0f} customers/s; mean time in system "
          f"{1000 * Customer.total / Customer.served:.3f}ms (theory 2ms)")


if __name__ == "__main__":
    main()
