// One hub and its consumer groups. $Default comes with every hub and is not declared.
param namespaceName string
param name string
param partitionCount int
param consumerGroups array
param retentionHours int

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: namespaceName
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: name
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [
  for group in consumerGroups: if (group != '$Default') {
    parent: hub
    name: group
    properties: {}
  }
]

output name string = hub.name
