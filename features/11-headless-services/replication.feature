@lesson-11
Feature: Redis replication found through the headless Service
  Lesson 11: the replicas find their master by its stable DNS name
  redis-0.redis-headless.<namespace>.svc.cluster.local, announce their own names, and copy
  every write; a replica refuses writes.

  Background:
    Given a redis-client pod on a worker node, called "client"

  @claim:L11-11
  Scenario: redis-0 answers PING by its DNS name
    Then "client" gets PONG from redis at "redis-0.redis-headless"

  @claim:L11-12
  Scenario: The master sees both replicas online, under the names they announce
    Then redis at "redis-0.redis-headless", asked from "client", is a master with online replicas announced as "redis-1.redis-headless.<service namespace>.svc.cluster.local" and "redis-2.redis-headless.<service namespace>.svc.cluster.local"

  @claim:L11-13
  Scenario: redis-1 replicates from the master's DNS name
    Then redis at "redis-1.redis-headless", asked from "client", is a read-only replica of "redis-0.redis-headless.<service namespace>.svc.cluster.local" port 6379, its link up

  @claim:L11-13
  Scenario: redis-2 replicates from the master's DNS name
    Then redis at "redis-2.redis-headless", asked from "client", is a read-only replica of "redis-0.redis-headless.<service namespace>.svc.cluster.local" port 6379, its link up

  @claim:L11-14
  Scenario: A write on the master reaches the replicas, and a replica refuses writes
    Then a key set through redis at "redis-0.redis-headless" from "client" is read back from "redis-1.redis-headless" and "redis-2.redis-headless"
    And a write through redis at "redis-1.redis-headless" from "client" is refused as READONLY

  @claim:L11-18
  Scenario: A recreated master keeps its name, and its replicas find it again
    When the pod "redis-0" of StatefulSet "redis" is deleted and the StatefulSet has recreated it
    Then within 35 s, "client" looking up "redis-0.redis-headless" with its search list gets exactly the IP of pod "redis-0"
    And within 60 s, redis at "redis-1.redis-headless", asked from "client", is a read-only replica of "redis-0.redis-headless.<service namespace>.svc.cluster.local" port 6379, its link up
    And within 60 s, redis at "redis-2.redis-headless", asked from "client", is a read-only replica of "redis-0.redis-headless.<service namespace>.svc.cluster.local" port 6379, its link up
