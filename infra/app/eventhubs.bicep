// Event Hubs namespace (Standard: Basic allows only $Default) with local (SAS) auth off, the
// pipeline's hubs and each hub's consumer groups. Metrics go to Log Analytics for the workbook.
param name string
param location string = resourceGroup().location
param tags object = {}
@description('Hubs: [{ name, partitions, consumerGroups }] from the pipeline topology.')
param hubs array
@description('Hours an event stays readable: long enough to replay a stage after a fix.')
param retentionHours int = 72
param throughputUnits int = 1
param logAnalyticsWorkspaceId string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: throughputUnits
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: true
    maximumThroughputUnits: 4
  }
}

module hubDeployments 'eventhub.bicep' = [
  for hub in hubs: {
    name: 'hub-${hub.name}'
    params: {
      namespaceName: namespace.name
      name: hub.name
      partitionCount: hub.partitions
      consumerGroups: hub.consumerGroups
      retentionHours: retentionHours
    }
  }
]

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
