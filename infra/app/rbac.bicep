// Every role the pipeline needs, for the Function App's user-assigned identity and, optionally,
// the person or pipeline running azd (debugging, and upkeep of the Key Vault secrets).
// Azure OpenAI access is granted in openai.bicep, which is deployed only when OpenAI is.
// Names are guid(scope, principal, role), so re-provisioning finds the same assignments.
param managedIdentityPrincipalId string
@description('Object id of the deploying principal; empty to grant nothing beyond the app identity.')
param principalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'
param hostStorageAccountName string
param feedbackStorageAccountName string
param eventHubsNamespaceName string
param cosmosAccountName string
param keyVaultName string
param applicationInsightsName string

// Built-in role definition ids (identical in every subscription).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
// Cosmos DB data-plane role (its own RBAC system): Cosmos DB Built-in Data Contributor.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

var appIdentity = {
  id: managedIdentityPrincipalId
  type: 'ServicePrincipal'
}
var deployer = {
  id: principalId
  type: principalType
}
var principals = empty(principalId)
  ? [
      appIdentity
    ]
  : [
      appIdentity
      deployer
    ]

resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: hostStorageAccountName
}

resource feedbackStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: feedbackStorageAccountName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: cosmosAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Host storage: host locks, blob trigger receipts, Event Hubs checkpoints, the deployment package.
resource hostBlobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(hostStorage.id, p.id, roles.storageBlobDataOwner)
    scope: hostStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
      principalId: p.id
      principalType: p.type
    }
  }
]

resource hostQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(hostStorage.id, p.id, roles.storageQueueDataContributor)
    scope: hostStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: p.id
      principalType: p.type
    }
  }
]

// Feedback storage: raw and landing blobs, and the blob trigger's poison queue.
resource feedbackBlobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(feedbackStorage.id, p.id, roles.storageBlobDataOwner)
    scope: feedbackStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
      principalId: p.id
      principalType: p.type
    }
  }
]

resource feedbackQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(feedbackStorage.id, p.id, roles.storageQueueDataContributor)
    scope: feedbackStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: p.id
      principalType: p.type
    }
  }
]

// Event Hubs: each stage reads its input hub and writes the next one.
resource eventHubsSendAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(eventHubsNamespace.id, p.id, roles.eventHubsDataSender)
    scope: eventHubsNamespace
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
      principalId: p.id
      principalType: p.type
    }
  }
]

resource eventHubsReceiveAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in principals: {
    name: guid(eventHubsNamespace.id, p.id, roles.eventHubsDataReceiver)
    scope: eventHubsNamespace
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
      principalId: p.id
      principalType: p.type
    }
  }
]

resource cosmosDataAccess 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = [
  for p in principals: {
    parent: cosmosAccount
    name: guid(cosmosAccount.id, p.id, cosmosDataContributorRoleId)
    properties: {
      roleDefinitionId: '${cosmosAccount.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
      principalId: p.id
      scope: cosmosAccount.id
    }
  }
]

// The app only reads secrets (Key Vault references); the deployer also writes them
// (azd secretOrRandomPassword reads them back on every provision, operators rotate them).
resource appSecretsAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, managedIdentityPrincipalId, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: managedIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerSecretsAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(keyVault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
    principalType: principalType
  }
}

// Application Insights has local auth off: telemetry is accepted from this identity only.
resource telemetryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, managedIdentityPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: managedIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}
