/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/cli/describe-output.test.ts > TAP > describe deployment - replicas summary, strategy, pod template > must match snapshot 1`] = `
Name:                   web
Namespace:              default
Labels:                 app=web
Annotations:            <none>
CreationTimestamp:      2026-12-04T10:00:00Z
Selector:               app=web
Replicas:               3 desired | 3 updated | 3 total | 2 available | 1 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:   app=web
  Containers:
    web:
      Image:        nginx:1.25
      Port:         <none>
      Environment:  <none>
      Mounts:       <none>
  Volumes:  <none>
Conditions:             <none>
Events:                 <none>

`

exports[`test/cli/describe-output.test.ts > TAP > describe pod - sections, containers, conditions and events oldest first > must match snapshot 1`] = `
Name:               web
Namespace:          default
Labels:             app=web
                    tier=fe
Annotations:        team=edge
CreationTimestamp:  2026-12-04T11:00:00Z
Controlled By:      ReplicaSet/web-7d4b9
Node:               pi-1
Status:             Running
IP:                 10.1.0.5
Containers:
  web:
    Image:          nginx:1.25
    Port:           80/TCP
    State:          Running
    Started:        2026-12-04T11:00:00Z
    Ready:          True
    Restart Count:  0
    Limits:         memory: 128Mi
    Requests:       cpu: 100m
                    memory: 64Mi
    Environment:    MODE: prod
                    PASSWORD: <set from secretKeyRef>
    Mounts:         /data from data (rw)
Conditions:
  Type          Status
  ----          ------
  Ready         True
  PodScheduled  True
Volumes:
  data:
    Type:           emptyDir
Restart Policy:     Always
Node-Selectors:     arch=arm64
Tolerations:        edge=true:NoSchedule
Events:
  Type     Reason     Age               From       Message
  ----     ------     ---               ----       -------
  Normal   Scheduled  59m               scheduler  Successfully assigned default/web to pi-1
  Normal   Started    59m               scheduler  Started container web
  Warning  BackOff    2m (x4 over 20m)  scheduler  Back-off pulling image

`

exports[`test/cli/describe-output.test.ts > TAP > describe service and node > node, no events section 1`] = `
Name:               pi-1
Labels:             kubernetes.io/arch=arm64
Annotations:        <none>
CreationTimestamp:  2026-12-01T00:00:00Z
Taints:             edge=true:NoSchedule
Unschedulable:      false
Conditions:
  Type   Status  LastHeartbeatTime     Reason      Message
  ----   ------  -----------------     ------      -------
  Ready  True    2026-12-04T11:59:50Z  AgentReady  agent is posting ready status
Addresses:          InternalIP: 192.168.1.20
Capacity:           cpu: 4
                    memory: 3884Mi
                    pods: 110
Allocatable:        cpu: 4
                    memory: 3584Mi
                    pods: 110
System Info:
  Architecture:     arm64
  OperatingSystem:  linux
PodCIDR:            10.1.0.0/24

`

exports[`test/cli/describe-output.test.ts > TAP > describe service and node > NodePort service: IP, IPs and NodePort 1`] = `
Name:               shop
Namespace:          default
Labels:             <none>
Annotations:        <none>
CreationTimestamp:  2026-12-04T10:00:00Z
Selector:           app=shop
Type:               NodePort
IP:                 10.96.0.13
IPs:                10.96.0.13
Port:               http  80/TCP
TargetPort:         8080/TCP
NodePort:           http  30080/TCP
Session Affinity:   None
Events:             <none>

`

exports[`test/cli/describe-output.test.ts > TAP > describe service and node > service 1`] = `
Name:               web
Namespace:          default
Labels:             <none>
Annotations:        <none>
CreationTimestamp:  2026-12-04T10:00:00Z
Selector:           app=web
Type:               ClusterIP
IP:                 10.96.0.12
Port:               http  80/TCP
TargetPort:         8080/TCP
Session Affinity:   None
Events:             <none>

`
