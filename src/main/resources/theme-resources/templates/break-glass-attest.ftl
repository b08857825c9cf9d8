<#import "template.ftl" as layout>
<#-- The attestation form: the ended grant's evidence, then three yes/no questions and notes.
     Laid out like the activation form (keycloak.v2 / PatternFly 5, break-glass.css). FreeMarker
     escapes every value, so the grant's reason or the typed notes cannot add markup. -->
<#-- Field errors stand at their questions; the page-level alert is only for the rest (never the
     same "Answer yes or no." once per question in one alert). -->
<#assign questions = ["necessary", "scopeCorrect", "allRemoved"]>
<#assign firstError = "">
<#list questions + ["notes"] as f><#if firstError == "" && messagesPerField.existsError(f)><#assign firstError = f></#if></#list>
<@layout.registrationLayout displayMessage=(firstError == ""); section>
<#if section = "header">
    ${msg("breakGlassAttestTitle")}
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <div id="bg-attest-intro" class="pf-v5-c-alert pf-m-danger bg-banner" role="region" aria-labelledby="bg-attest-intro-title">
        <div class="pf-v5-c-alert__icon"><i class="${properties.kcFeedbackWarningIcon!'fa fa-fw fa-exclamation-triangle'}" aria-hidden="true"></i></div>
        <p id="bg-attest-intro-title" class="pf-v5-c-alert__title">${msg("breakGlassAttestTitle")}<#if attest.drill> &ndash; ${msg("breakGlassAttestDrill")}</#if></p>
        <div class="pf-v5-c-alert__description">
            <p>${msg("breakGlassAttestIntro")}</p>
            <#if (attest.waiting > 1)><p>${msg("breakGlassAttestWaiting", attest.waiting?c)}</p></#if>
        </div>
    </div>

    <dl id="bg-evidence" class="pf-v5-c-description-list pf-m-horizontal pf-m-compact bg-evidence">
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassReason")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-reason">${attest.reason}</dd></div>
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassTicket")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-ticket">${attest.ticket}</dd></div>
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassRoles")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-roles"><#list attest.roles as role>${role}<#sep>, </#list></dd></div>
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassAttestActivated")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-activated">${attest.activatedAt}</dd></div>
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassAttestEnded")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-ended">${attest.endedAt} (${msg(attest.endReasonKey)})</dd></div>
        <div class="pf-v5-c-description-list__group"><dt class="pf-v5-c-description-list__term">${msg("breakGlassAttestUses")}</dt>
            <dd class="pf-v5-c-description-list__description" id="bg-evidence-uses">${attest.uses?c}</dd></div>
    </dl>
    <#if attest.actions?has_content>
        <h2 class="bg-evidence-heading">${msg("breakGlassAttestActions")}</h2>
        <ul id="bg-evidence-actions" class="bg-evidence-actions">
            <#list attest.actions as action>
                <li><span class="bg-evidence-time">${action.time}</span> ${msg(action.key, action.target)}</li>
            </#list>
        </ul>
    </#if>

    <#if attest.residual?has_content>
        <h2 class="bg-evidence-heading">${msg("breakGlassAttestResidual")}</h2>
        <ul id="bg-evidence-residual" class="bg-evidence-actions">
            <#list attest.residual as item>
                <li>${item.kind!""}: ${item.name!""} <span class="bg-evidence-time">${item.resourcePath!""}</span></li>
            </#list>
        </ul>
    </#if>

    <div id="bg-errors" class="pf-v5-screen-reader" role="alert" aria-live="assertive"><#if firstError != "">${msg("breakGlassAttestHasErrors")}</#if></div>
    <form id="bg-attest-form" class="${properties.kcFormClass!} bg-form" action="${url.loginAction}" method="post" novalidate="novalidate">
        <input type="hidden" name="grantId" value="${attest.grantId}"/>
        <#list questions as question>
            <#assign answer = attest[question]>
            <#assign wrong = messagesPerField.existsError(question)>
            <div class="${properties.kcFormGroupClass!}" role="radiogroup" aria-labelledby="${question}-legend" aria-required="true"
                 <#if wrong>aria-invalid="true" aria-describedby="input-error-${question}"</#if>>
                <div class="${properties.kcFormGroupLabelClass!'pf-v5-c-form__group-label'}">
                    <span id="${question}-legend" class="${properties.kcFormLabelClass!'pf-v5-c-form__label'}">
                        <span class="${properties.kcFormLabelTextClass!'pf-v5-c-form__label-text'}">${msg("breakGlassAttest_" + question)}</span>
                        <span class="${properties.kcInputRequiredClass!'pf-v5-c-form__label-required'}" aria-hidden="true">&#42;</span>
                    </span>
                </div>
                <div class="pf-v5-c-form__group-control pf-m-inline bg-answers">
                    <div class="pf-v5-c-radio">
                        <input class="pf-v5-c-radio__input" type="radio" id="${question}-yes" name="${question}" value="yes" <#if answer == "yes">checked</#if> <#if firstError == question>autofocus</#if>/>
                        <label class="pf-v5-c-radio__label" for="${question}-yes">${msg("breakGlassAttestYes")}</label>
                    </div>
                    <div class="pf-v5-c-radio">
                        <input class="pf-v5-c-radio__input" type="radio" id="${question}-no" name="${question}" value="no" <#if answer == "no">checked</#if>/>
                        <label class="pf-v5-c-radio__label" for="${question}-no">${msg("breakGlassAttestNo")}</label>
                    </div>
                </div>
                <#if wrong>
                    <div class="pf-v5-c-helper-text">
                        <div class="pf-v5-c-helper-text__item pf-m-error">
                            <span id="input-error-${question}" class="${properties.kcInputErrorMessageClass!'pf-v5-c-helper-text__item-text'}">${kcSanitize(messagesPerField.get(question))?no_esc}</span>
                        </div>
                    </div>
                </#if>
            </div>
        </#list>
        <div class="${properties.kcFormGroupClass!}">
            <div class="${properties.kcFormGroupLabelClass!'pf-v5-c-form__group-label'}">
                <label for="notes" class="${properties.kcFormLabelClass!'pf-v5-c-form__label'}">
                    <span class="${properties.kcFormLabelTextClass!'pf-v5-c-form__label-text'}">${msg("breakGlassAttestNotes")}</span>
                </label>
            </div>
            <span class="${properties.kcInputClass!} pf-m-textarea pf-m-resize-vertical">
                <textarea id="notes" name="notes" rows="3" maxlength="1000" <#if messagesPerField.existsError('notes')>aria-invalid="true" aria-describedby="input-error-notes" <#if firstError == "notes">autofocus</#if></#if>>${attest.notes}</textarea>
            </span>
            <#if messagesPerField.existsError('notes')>
                <div class="pf-v5-c-helper-text">
                    <div class="pf-v5-c-helper-text__item pf-m-error">
                        <span id="input-error-notes" class="${properties.kcInputErrorMessageClass!'pf-v5-c-helper-text__item-text'}">${kcSanitize(messagesPerField.get('notes'))?no_esc}</span>
                    </div>
                </div>
            </#if>
        </div>
        <div id="kc-form-buttons" class="${properties.kcFormButtonsClass!}">
            <input id="bg-attest" class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!} ${properties.kcButtonLargeClass!}"
                type="submit" value="${msg("breakGlassAttestSubmit")}"/>
        </div>
    </form>
</#if>
</@layout.registrationLayout>
