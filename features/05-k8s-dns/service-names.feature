@lesson-05
Feature: Service names and the search list
  Lesson 05: `dig nginx-service` asks for the bare name and gets nothing; with `+search` the
  pod's namespace suffix makes it nginx-service's ClusterIP. From another namespace the short
  name finds nothing, but the name qualified with the Service's namespace does.

  @claim:L05-07
  Scenario: A bare Service name without the search list gets no address
    Given a multitool-1 pod on a worker node, called "client"
    Then "client" looking up "nginx-service" without its search list is answered for "nginx-service." with no A record

  @claim:L05-08
  Scenario: The short Service name with the search list resolves to the Service's ClusterIP
    Given a multitool-1 pod on a worker node, called "client"
    Then "client" looking up "nginx-service" with its search list asks for "nginx-service.<pod namespace>.svc.cluster.local." and gets exactly the ClusterIP of Service "nginx-service", with TTL at most 30

  @claim:L05-10
  Scenario: From another namespace the short Service name resolves to nothing
    Given a multitool-3 pod of namespace "foo" on a worker node, called "client"
    Then "client" looking up "nginx-service" with its search list gets no A record
    And "client" looking up "nginx-service.foo.svc.cluster.local" gets NXDOMAIN

  @claim:L05-11
  Scenario: The name qualified with the Service's namespace resolves from another namespace
    Given a multitool-3 pod of namespace "foo" on a worker node, called "client"
    And a multitool-1 pod on another worker node, called "neighbour"
    Then "client" looking up "nginx-service.<service namespace>" with its search list asks for "nginx-service.<service namespace>.svc.cluster.local." and gets exactly the ClusterIP of Service "nginx-service", with TTL at most 30
    And "client" looking up "nginx-service.<service namespace>.svc.cluster.local" gets exactly the ClusterIP of Service "nginx-service", with TTL at most 30
    And "neighbour" looking up "nginx-service.<service namespace>.svc.cluster.local" gets exactly the ClusterIP of Service "nginx-service", with TTL at most 30

  @claim:L05-12
  Scenario: A short name is tried with every search suffix before the name itself
    Given a multitool-1 pod on a worker node, called "client"
    Then a capture on "client" during its lookup of "no-such-name" with its search list shows, in order, these queries answered by the cluster DNS:
      | query                                           | answer   |
      | no-such-name.<pod namespace>.svc.cluster.local. | NXDOMAIN |
      | no-such-name.svc.cluster.local.                 | NXDOMAIN |
      | no-such-name.cluster.local.                     | NXDOMAIN |
      | no-such-name.                                   | any      |
