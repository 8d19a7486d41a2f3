@lesson-11
Feature: What only a live cluster shows of the StatefulSet
  The StatefulSet controller's ordered start and the containers' logs belong to Kubernetes
  itself; the embedded lab starts redis in the same order but keeps no such record.

  @claim:L11-02 @live-only:the-lab-has-no-statefulset-controller-history
  Scenario: The StatefulSet starts its pods one after the other
    Then the StatefulSet "redis" created each pod only after the one before it was Ready

  @claim:L11-15 @live-only:the-lab-keeps-no-container-logs-of-redis
  Scenario: The replicas' logs show them finding the master by its DNS name
    Then the logs of "redis-1" show it waiting for its master, then connecting to "redis-0.redis-headless.<service namespace>.svc.cluster.local"
    And the logs of "redis-2" show it waiting for its master, then connecting to "redis-0.redis-headless.<service namespace>.svc.cluster.local"
