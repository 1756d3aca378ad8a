// Azure OpenAI account (Entra ID only) with a chat deployment for ambiguous classifications and
// an embeddings deployment for near-duplicate and theme work.
param name string
param location string = resourceGroup().location
param tags object = {}
param deploymentSku string = 'GlobalStandard'
param chatModelName string
param chatModelVersion string
param chatCapacity int
param embeddingModelName string
param embeddingModelVersion string
param embeddingCapacity int
param logAnalyticsWorkspaceId string
@description('Principals that call the deployments: [{ id, type }] (the app identity, optionally the deployer).')
param userPrincipals array

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    // A custom subdomain is what makes Entra ID tokens work against the account.
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource chat 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: chatModelName
  sku: {
    name: deploymentSku
    capacity: chatCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: chatModelName
      version: chatModelVersion
    }
    versionUpgradeOption: 'OnceCurrentVersionExpired'
  }
}

resource embedding 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: embeddingModelName
  sku: {
    name: deploymentSku
    capacity: embeddingCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: embeddingModelName
      version: embeddingModelVersion
    }
    versionUpgradeOption: 'OnceCurrentVersionExpired'
  }
  // One deployment at a time: the account rejects concurrent deployment changes.
  dependsOn: [
    chat
  ]
}

// Cognitive Services OpenAI User: call deployments with an Entra ID token, nothing more.
var openAiUserRoleId = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource openAiAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for p in userPrincipals: {
    name: guid(account.id, p.id, openAiUserRoleId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUserRoleId)
      principalId: p.id
      principalType: p.type
    }
  }
]

// Token metrics (ProcessedPromptTokens, GeneratedTokens) feed the operations dashboard.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
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

output id string = account.id
output name string = account.name
output endpoint string = account.properties.endpoint
output chatDeploymentName string = chat.name
output embeddingDeploymentName string = embedding.name
