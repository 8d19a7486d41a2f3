@lesson-11
Feature: DNS for ClusterIP and headless Services
  Lesson 11: a ClusterIP Service's name resolves to its virtual IP; a headless Service's name
  to the IPs of its ready pods; a StatefulSet pod has a name of its own under the headless
  Service, a Deployment pod does not; SRV records list the StatefulSet's pods by name.

  Background:
    Given a redis-client pod on a worker node, called "client"

  @claim:L11-04
  Scenario: A ClusterIP Service resolves to its ClusterIP
    Then "client" looking up "nginx-clusterip" with its search list asks for "nginx-clusterip.<pod namespace>.svc.cluster.local." and gets exactly the ClusterIP of Service "nginx-clusterip", with TTL at most 30

  @claim:L11-05
  Scenario: A headless Service of a Deployment resolves to its ready pods
    Then "client" looking up "nginx-headless" with its search list gets one A record per ready pod of Service "nginx-headless", and no ClusterIP

  @claim:L11-06
  Scenario: A headless Service of a StatefulSet resolves to its ready pods
    Then "client" looking up "redis-headless" with its search list gets one A record per ready pod of Service "redis-headless", and no ClusterIP

  @claim:L11-08
  Scenario Outline: A StatefulSet pod resolves by its own name under the headless Service
    Then "client" looking up "<pod>.redis-headless" with its search list gets exactly the IP of pod "<pod>"

    Examples:
      | pod     |
      | redis-0 |
      | redis-1 |
      | redis-2 |

  @claim:L11-09
  Scenario: A Deployment pod has no record under its own name
    Then "client" looking up a selected pod's own name under Service "nginx-headless" gets NXDOMAIN

  @claim:L11-10
  Scenario: SRV records name each StatefulSet pod with its port
    Then "client" asking for the SRV records of "_redis._tcp.redis-headless.<service namespace>.svc.cluster.local" gets one per pod of StatefulSet "redis", with port 6379 and the pod's name under Service "redis-headless" as target
